// the SMTP port gate
