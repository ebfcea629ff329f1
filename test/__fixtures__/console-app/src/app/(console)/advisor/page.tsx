export default function AdvisorPage() {
  return <h1>Advisor</h1>;
}
