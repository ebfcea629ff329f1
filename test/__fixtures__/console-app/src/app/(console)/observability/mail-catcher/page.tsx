export default function MailCatcherPage() {
  return <h1>Mail Catcher</h1>;
}
