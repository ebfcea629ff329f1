export default function ControlPlanePage() {
  return <h1>Control Plane</h1>;
}
