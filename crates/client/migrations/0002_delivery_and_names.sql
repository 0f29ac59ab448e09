-- The invitations table filters on delivery ("Delivery failed"), so the state of each
-- invitation's e-mail gets a column beside the status (users keep it NULL: one statement
-- writes either table). Rows cached before it have none, so the next sync of invitations is
-- a full one, which fills it in.
ALTER TABLE invitations ADD COLUMN delivery TEXT;
ALTER TABLE users ADD COLUMN delivery TEXT;
UPDATE sync_state SET cursor = NULL WHERE list = 'invitations';
