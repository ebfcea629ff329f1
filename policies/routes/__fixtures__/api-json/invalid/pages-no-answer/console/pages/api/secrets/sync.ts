import type { NextApiRequest, NextApiResponse } from 'next';

const handler = async (req: NextApiRequest, res: NextApiResponse) => {
  if (req.method !== 'POST') return;
  if (typeof req.body?.name === 'string') {
    res.status(200).json({ ok: true });
  }
};

export default handler;
