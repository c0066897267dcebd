//! Statements SQLite keeps prepared.
//!
//! diesel keeps a connection's statements prepared, keyed by their SQL,
//! unless a part of the query says its text may vary: `eq_any` over a list
//! (one `?` per item) and raw SQL (`sql_query`) both do. Such a statement
//! is parsed and planned again on every execution, which for the short
//! lookups of a public page costs more than running it. The two forms here
//! give the same statements with fixed text (`tests/prepared.rs` checks
//! that reading pages use no other kind).
//!
//! SQLite-specific (`json_each`); a PostgreSQL backend would bind an array
//! (`= ANY($1)`) instead.

use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::Sqlite;
use serde::Serialize;

/// `column IN (SELECT value FROM json_each(?))`, the list bound as one
/// JSON array: the same text whatever the list's length.
#[derive(Debug, Clone)]
pub struct InList<C> {
    column: C,
    list: String,
}

/// `column` is one of `values` (ids, numbers, names).
pub fn in_list<C, V: Serialize>(column: C, values: &[V]) -> InList<C> {
    InList {
        column,
        list: serde_json::to_string(values).expect("a list of plain values is JSON"),
    }
}

impl<C: Expression> Expression for InList<C> {
    type SqlType = Bool;
}

impl<C: ValidGrouping<G>, G> ValidGrouping<G> for InList<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for InList<C> {}

impl<C> QueryId for InList<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for InList<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.list)?;
        out.push_sql("))");
        Ok(())
    }
}

/// Raw SQL (`diesel::sql_query` with its binds) whose text is a constant,
/// so it may be kept prepared. Only for `&'static str` statements: every
/// distinct text is a statement kept for the connection's lifetime.
#[derive(Debug, Clone)]
pub struct Fixed<Q>(Q);

/// Marks `query` (built from a constant SQL text) as one to keep prepared.
pub fn fixed<Q>(query: Q) -> Fixed<Q> {
    Fixed(query)
}

impl<Q: Query> Query for Fixed<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for Fixed<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Sqlite>> QueryFragment<Sqlite> for Fixed<Q> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }

    fn is_safe_to_cache_prepared(&self, _: &Sqlite) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for Fixed<Q> {}
