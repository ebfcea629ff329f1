import Link from 'next/link';

export function Nav() {
  return <Link href="/">Overview</Link>;
}
