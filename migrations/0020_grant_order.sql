-- 0020_grant_order.sql - (issue 5, work-queue benchmark) the grants of a
-- user in the order the principal is built (store/auth_repo.c,
-- auth_principal_load: ORDER BY unit_code, role). Without it every
-- authenticated request sorted its grants in a temporary b-tree, and that
-- sorter's set-up was a tenth of a work-queue request's instructions.
CREATE INDEX role_grants_user ON role_grants (user_id, unit_code, role);
