-- Keep the Slack URL in Vault instead of a table.
select vault.create_secret('https://hooks.slack.com/services/placeholder', 'slack_webhook_url', 'Slack bridge for done tasks');
