-- Incremental sync pages in (dt_last_modified, id) order: with id in the index, a page is a
-- plain index range, not a sort of the rows sharing a modification time.
DROP INDEX invitations_modified;
CREATE INDEX invitations_modified ON invitations(org_id, dt_last_modified, id);
DROP INDEX users_modified;
CREATE INDEX users_modified ON users(org_id, dt_last_modified, id);
