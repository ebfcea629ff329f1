import { NextResponse } from 'next/server';

// Always a JSON body, never a bare 204: the UI parses every answer.
export async function POST() {
  return NextResponse.json({ ok: true, synced: 0 });
}
