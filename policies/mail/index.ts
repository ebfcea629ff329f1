import catcherNonprod from './catcher-nonprod.ts';
import mailgunAgreement from './mailgun-agreement.ts';

export default [catcherNonprod, mailgunAgreement];
