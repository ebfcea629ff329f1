export default function DigitalOceanPage() {
  return <h1>DigitalOcean</h1>;
}
