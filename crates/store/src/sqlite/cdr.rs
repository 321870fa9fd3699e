//! CDRs on SQLite: the `cdr` table.

use rusqlite::{Connection, Row, params};

use crate::cdr::Cdr;

/// Stores a CDR; returns its id.
pub(super) fn insert(conn: &Connection, cdr: &Cdr) -> rusqlite::Result<u64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO cdr (accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
            lastdata, start_us, answer_us, end_us, duration, billsec, disposition, amaflags,
            uniqueid, linkedid, userfield, hangup_cause)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20)",
    )?;
    let rowid = stmt.insert(params![
        cdr.accountcode,
        cdr.src,
        cdr.dst,
        cdr.dcontext,
        cdr.clid,
        cdr.channel,
        cdr.dstchannel,
        cdr.lastapp,
        cdr.lastdata,
        cdr.start_us,
        cdr.answer_us,
        cdr.end_us,
        cdr.duration,
        cdr.billsec,
        cdr.disposition,
        cdr.amaflags,
        cdr.uniqueid,
        cdr.linkedid,
        cdr.userfield,
        cdr.hangup_cause,
    ])?;
    super::row_id(rowid)
}

/// The `limit` newest CDRs with their ids, newest first.
pub(super) fn recent(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<(u64, Cdr)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
            lastdata, start_us, answer_us, end_us, duration, billsec, disposition, amaflags,
            uniqueid, linkedid, userfield, hangup_cause
         FROM cdr ORDER BY id DESC LIMIT ?1",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    stmt.query_map([limit], |row| Ok((super::id_column(row, 0)?, cdr_at(row)?)))?.collect()
}

fn cdr_at(row: &Row<'_>) -> rusqlite::Result<Cdr> {
    Ok(Cdr {
        accountcode: row.get(1)?,
        src: row.get(2)?,
        dst: row.get(3)?,
        dcontext: row.get(4)?,
        clid: row.get(5)?,
        channel: row.get(6)?,
        dstchannel: row.get(7)?,
        lastapp: row.get(8)?,
        lastdata: row.get(9)?,
        start_us: row.get(10)?,
        answer_us: row.get(11)?,
        end_us: row.get(12)?,
        duration: row.get(13)?,
        billsec: row.get(14)?,
        disposition: row.get(15)?,
        amaflags: row.get(16)?,
        uniqueid: row.get(17)?,
        linkedid: row.get(18)?,
        userfield: row.get(19)?,
        hangup_cause: row.get(20)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::cdr::Cdr;
    use crate::sqlite::SqliteStore;
    use crate::store::Store;

    fn cdr(n: i64, answered: bool) -> Cdr {
        Cdr {
            accountcode: "acct".into(),
            src: "1000".into(),
            dst: format!("{n}"),
            dcontext: "default".into(),
            clid: "\"Alice\" <1000>".into(),
            channel: "SIP/alice-00000001".into(),
            dstchannel: "SIP/bob-00000002".into(),
            lastapp: "Dial".into(),
            lastdata: "SIP/bob,30".into(),
            start_us: 1_700_000_000_000_000 + n,
            answer_us: answered.then_some(1_700_000_001_000_000 + n),
            end_us: 1_700_000_010_000_000 + n,
            duration: 10,
            billsec: if answered { 9 } else { 0 },
            disposition: if answered { "ANSWERED" } else { "NO ANSWER" }.into(),
            amaflags: "DOCUMENTATION".into(),
            uniqueid: format!("uid-{n}"),
            linkedid: "link-1".into(),
            userfield: "note".into(),
            hangup_cause: 16,
        }
    }

    #[test]
    fn inserted_cdrs_come_back_newest_first_with_every_field() {
        let store = SqliteStore::open_in_memory().unwrap();
        let first = (store.cdr_insert(&cdr(1, true)).unwrap(), cdr(1, true));
        let second = (store.cdr_insert(&cdr(2, false)).unwrap(), cdr(2, false));
        assert!(second.0 > first.0);
        assert_eq!(store.cdr_recent(10).unwrap(), [second, first]);
    }

    #[test]
    fn recent_returns_at_most_limit_rows() {
        let store = SqliteStore::open_in_memory().unwrap();
        for n in 0..5 {
            store.cdr_insert(&cdr(n, true)).unwrap();
        }
        let recent = store.cdr_recent(2).unwrap();
        let dsts: Vec<&str> = recent.iter().map(|(_, c)| c.dst.as_str()).collect();
        assert_eq!(dsts, ["4", "3"]);
        assert!(store.cdr_recent(0).unwrap().is_empty());
        assert_eq!(store.cdr_recent(usize::MAX).unwrap().len(), 5);
    }
}
