export function GET() {
  return Response.json({ ok: true });
}

export function HEAD() {
  return new Response(null, { status: 200 });
}
