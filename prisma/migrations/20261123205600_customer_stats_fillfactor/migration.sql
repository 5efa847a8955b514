-- Leave 10 % of each CustomerStats page free so that updates of columns no index covers (RFM
-- scores whose segment did not change, predictions, churn risk) are HOT: the new row version goes
-- on the same page and no index is written. Applies to pages written from now on (a table that
-- already exists is repacked by VACUUM FULL, not needed for correctness).
ALTER TABLE "CustomerStats" SET (fillfactor = 90);
