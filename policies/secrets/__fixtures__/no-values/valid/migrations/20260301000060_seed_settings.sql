-- Settings name the secret; the value is read from Vault at run time.
insert into ops.settings (name, secret_name) values ('mailgun', 'mailgun_api_key');
select decrypted_secret from vault.decrypted_secrets where name = 'digitalocean_token';
