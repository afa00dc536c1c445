-- +goose Up
-- An activity whose data the database refused (a data error, SQLSTATE class 22 or 23) fails
-- for good at once instead of retrying for ever; the worker records it here with
-- failed_for_good so the stuck list shows it from the first attempt, with its error, until
-- its run ends (an engineer's reset of the journey starts a new run).
ALTER TABLE activity_problems ADD COLUMN failed_for_good boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE activity_problems DROP COLUMN failed_for_good;
