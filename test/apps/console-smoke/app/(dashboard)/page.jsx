// `(dashboard)` is a route group: this page is served at /.
export default function Overview() {
  return <h1>Overview</h1>;
}
