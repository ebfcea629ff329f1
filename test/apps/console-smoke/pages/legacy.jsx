// A Pages Router page next to the App Router.
export default function Legacy() {
  return <h1>Legacy settings</h1>;
}
