import Link from 'next/link';

export function LeftNav() {
  return (
    <nav>
      <Link href="/">Overview</Link>
      <Link href="/logs">Logs</Link>
    </nav>
  );
}
