import type { NextApiRequest, NextApiResponse } from 'next';

async function list(): Promise<string[]> {
  return ['mailgun_api_key'];
}

export default async function secrets(req: NextApiRequest, res: NextApiResponse) {
  switch (req.method) {
    case 'GET':
      try {
        return res.status(200).json({ ok: true, names: await list() });
      } catch (e) {
        return res.status(502).json({ ok: false, error: String(e) });
      }
    case 'HEAD':
    default:
      res.setHeader('allow', 'GET');
      res.status(405).json({ ok: false, error: 'GET only' });
      break;
  }
}
