export async function POST() {
  await Promise.resolve();
  return new Response(null, { status: 202 });
}
