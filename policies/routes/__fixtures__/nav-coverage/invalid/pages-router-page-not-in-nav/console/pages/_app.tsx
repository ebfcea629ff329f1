export default function App({ Component }: { Component: () => JSX.Element }) {
  return <Component />;
}
