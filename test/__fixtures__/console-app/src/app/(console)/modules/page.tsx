export default function ModulesPage() {
  return <h1>Modules</h1>;
}
