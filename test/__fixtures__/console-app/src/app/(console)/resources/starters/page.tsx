export default function StartersPage() {
  return <h1>Starters</h1>;
}
