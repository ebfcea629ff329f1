import { NextResponse } from 'next/server';

async function syncSecret(name: string): Promise<number> {
  return name.length;
}

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as { name?: string } | null;
  if (!body?.name) {
    return NextResponse.json({ ok: false, error: 'name is required' }, { status: 400 });
  }
  try {
    const version = await syncSecret(body.name);
    return NextResponse.json({ ok: true, version });
  } catch (e) {
    return NextResponse.json({ ok: false, error: String(e) }, { status: 502 });
  }
}

export const DELETE = async () => NextResponse.json({ ok: true });
