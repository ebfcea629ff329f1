export async function POST(request: Request) {
  const body = (await request.json()) as { name?: string };
  if (!body.name) return;
  return Response.json({ ok: true });
}
