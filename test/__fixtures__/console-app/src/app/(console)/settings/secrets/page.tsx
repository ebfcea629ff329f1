export default function SecretsPage() {
  return <h1>Secrets</h1>;
}
