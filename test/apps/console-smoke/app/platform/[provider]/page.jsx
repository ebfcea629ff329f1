// A dynamic segment: /platform/digitalocean and any other provider.
export default async function Provider({ params }) {
  const { provider } = await params;
  return <h1>Platform: {provider}</h1>;
}
