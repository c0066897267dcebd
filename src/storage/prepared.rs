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
//! SQLite reads the list with `json_each`; PostgreSQL binds it as one
//! array (`= ANY($1)`), which diesel's `eq_any` already does there.

use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::serialize::ToSql;
use diesel::sql_types::{Array, Bool, HasSqlType, SqlType, Text};
use diesel::sqlite::Sqlite;
use serde::Serialize;

use super::Backend;

/// `column IN (SELECT value FROM json_each(?))`, the list bound as one
/// JSON array: the same text whatever the list's length.
#[derive(Debug, Clone)]
pub struct InList<C, V> {
    column: C,
    list: String,
    values: Vec<V>,
}

/// `column` is one of `values` (ids, numbers, names).
pub fn in_list<C, V: Serialize + Clone>(column: C, values: &[V]) -> InList<C, V> {
    InList {
        column,
        list: serde_json::to_string(values).expect("a list of plain values is JSON"),
        values: values.to_vec(),
    }
}

impl<C: Expression, V> Expression for InList<C, V> {
    type SqlType = Bool;
}

impl<C: ValidGrouping<G>, G, V> ValidGrouping<G> for InList<C, V> {
    type IsAggregate = C::IsAggregate;
}

impl<C: AppearsOnTable<QS>, QS, V> AppearsOnTable<QS> for InList<C, V> {}

impl<C, V> QueryId for InList<C, V> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, V> QueryFragment<Pg> for InList<C, V>
where
    C: Expression + QueryFragment<Pg>,
    C::SqlType: SqlType,
    Pg: HasSqlType<C::SqlType>,
    Vec<V>: ToSql<Array<C::SqlType>, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<C::SqlType>, _>(&self.values)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C, V> QueryFragment<Backend> for InList<C, V>
where
    Self: QueryFragment<Sqlite> + QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        Backend::walk_variant_ast(self, out)
    }
}

impl<C: QueryFragment<Sqlite>, V> QueryFragment<Sqlite> for InList<C, V> {
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

impl<DB: diesel::backend::Backend, Q: QueryFragment<DB>> QueryFragment<DB> for Fixed<Q> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }

    fn is_safe_to_cache_prepared(&self, _: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for Fixed<Q> {}

/// `column LIKE pattern ESCAPE '\'` without regard to case, as the admin's
/// substring filters expect: SQLite's `LIKE` already ignores ASCII case;
/// PostgreSQL's does not, so there it is `ILIKE` (which its trigram
/// indexes serve too).
#[derive(Debug, Clone)]
pub struct CiLike<C> {
    column: C,
    pattern: String,
}

/// `column` contains `pattern` (a `LIKE` pattern escaped with `\`).
pub fn ci_like<C>(column: C, pattern: String) -> CiLike<C> {
    CiLike { column, pattern }
}

impl<C: Expression> Expression for CiLike<C> {
    type SqlType = Bool;
}

impl<C: ValidGrouping<G>, G> ValidGrouping<G> for CiLike<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for CiLike<C> {}

impl<C> QueryId for CiLike<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for CiLike<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" LIKE ");
        out.push_bind_param::<Text, _>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\'");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for CiLike<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" ILIKE ");
        out.push_bind_param::<Text, _>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\'");
        Ok(())
    }
}

impl<C> QueryFragment<Backend> for CiLike<C>
where
    Self: QueryFragment<Sqlite> + QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        Backend::walk_variant_ast(self, out)
    }
}
