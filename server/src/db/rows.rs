//! Reading columns the same way from either backend's rows.

use super::database::DbError;
use sqlx::Row;

pub(super) fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(what.to_owned())
}

/// Reading columns the same way from either backend's rows.
pub(super) trait RowLike {
    fn text(&self, column: &str) -> Result<String, DbError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, DbError>;
    fn int(&self, column: &str) -> Result<i64, DbError>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError>;
}

macro_rules! row_like {
    ($row:ty) => {
        impl RowLike for $row {
            fn text(&self, column: &str) -> Result<String, DbError> {
                Ok(self.try_get(column)?)
            }
            fn opt_text(&self, column: &str) -> Result<Option<String>, DbError> {
                Ok(self.try_get(column)?)
            }
            fn int(&self, column: &str) -> Result<i64, DbError> {
                Ok(self.try_get(column)?)
            }
            fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError> {
                Ok(self.try_get(column)?)
            }
        }
    };
}
row_like!(sqlx::sqlite::SqliteRow);
row_like!(sqlx::postgres::PgRow);
