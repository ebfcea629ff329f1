import Link from 'next/link';

export function LeftNav({ routes }: { routes: Array<{ path: string; label: string }> }) {
  return (
    <nav>
      {routes.map((r) => (
        <Link key={r.path} href={r.path}>
          {r.label}
        </Link>
      ))}
    </nav>
  );
}
