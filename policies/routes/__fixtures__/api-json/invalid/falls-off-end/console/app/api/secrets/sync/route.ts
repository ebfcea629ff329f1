import { NextResponse } from 'next/server';

export async function POST(request: Request) {
  const body = (await request.json()) as { name?: string };
  if (body.name) {
    return NextResponse.json({ ok: true, name: body.name });
  }
}
