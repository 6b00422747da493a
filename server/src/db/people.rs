//! People: accounts, the first administrator's set-up, and who has which clients as the admin
//! pages list them. The SQL is written once for both backends (see the macro at the end).

use super::database::{Backend, Db, DbError};
use super::rows::{RowLike, corrupt};
use yorisoi_domain::accounts::{Person, Role};
use yorisoi_domain::ids::PersonId;

/// A person as stored, with what signing in needs.
#[derive(Clone, Debug)]
pub struct PersonRow {
    pub id: PersonId,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
    pub failures: i64,
    pub failed_since: i64,
    pub locked_until: i64,
}

impl PersonRow {
    /// A new, enabled person with no failed sign-ins.
    pub fn new(login: String, name: String, role: Role, password_hash: String) -> Self {
        Self {
            id: PersonId(uuid::Uuid::now_v7()),
            login,
            name,
            role,
            password_hash,
            disabled: false,
            failures: 0,
            failed_since: 0,
            locked_until: 0,
        }
    }
}

fn person_from(row: &impl RowLike) -> Result<PersonRow, DbError> {
    Ok(PersonRow {
        id: row
            .text("id")?
            .parse()
            .map_err(|_| corrupt("a person's id"))?,
        login: row.text("login")?,
        name: row.text("name")?,
        role: Role::parse(&row.text("role")?).ok_or_else(|| corrupt("a person's role"))?,
        password_hash: row.text("password_hash")?,
        disabled: row.int("disabled")? != 0,
        failures: row.int("failures")?,
        failed_since: row.int("failed_since")?,
        locked_until: row.int("locked_until")?,
    })
}

impl Db {
    /// How many people have accounts.
    pub async fn people_count(&self) -> Result<i64, DbError> {
        on_backend!(self, sqlite_people, postgres_people, pool, m => m::people_count(pool).await)
    }

    /// Makes the first administrator with the set-up code, in one transaction: nothing is made
    /// if the code is not valid or someone already has an account.
    pub async fn set_up(
        &self,
        code_hash: &str,
        person: &PersonRow,
        now: i64,
    ) -> Result<bool, DbError> {
        on_backend!(self, sqlite_people, postgres_people, pool, m => m::set_up(pool, code_hash, person, now).await)
    }

    pub async fn person_by_login(&self, login: &str) -> Result<Option<PersonRow>, DbError> {
        on_backend!(self, sqlite_people, postgres_people, pool, m => m::person_where(pool, "login", login).await)
    }

    pub async fn person(&self, id: PersonId) -> Result<Option<PersonRow>, DbError> {
        on_backend!(self, sqlite_people, postgres_people, pool, m => m::person_where(pool, "id", &id.to_string()).await)
    }

    /// Adds a person; false if the login is taken.
    pub async fn add_person(&self, person: &PersonRow, now: i64) -> Result<bool, DbError> {
        on_backend!(self, sqlite_people, postgres_people, pool, m => m::add_person(pool, person, now).await)
    }

    /// Writes a person's name, role, disabled flag, password hash and failure count.
    pub async fn save_person(&self, person: &PersonRow) -> Result<(), DbError> {
        on_backend!(self, sqlite_people, postgres_people, pool, m => m::save_person(pool, person).await)
    }

    /// Every person with the clients assigned to them.
    pub async fn people(&self) -> Result<Vec<Person>, DbError> {
        on_backend!(self, sqlite_people, postgres_people, pool, m => m::people(pool).await)
    }
}

macro_rules! people_backend {
    ($module:ident, $pool:ty, $db:ty, $row:ty, $begin:literal) => {
        mod $module {
            use super::*;

            pub async fn people_count(pool: &$pool) -> Result<i64, DbError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(pool).await?)
            }

            pub async fn set_up(pool: &$pool, code_hash: &str, person: &PersonRow, now: i64) -> Result<bool, DbError> {
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = async {
                    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(&mut *conn).await?;
                    let used = sqlx::query("UPDATE one_time_codes SET used_at = $1 WHERE code_hash = $2 AND purpose = 'setup' AND used_at IS NULL")
                        .bind(now)
                        .bind(code_hash)
                        .execute(&mut *conn)
                        .await?;
                    if people > 0 || used.rows_affected() != 1 {
                        return Ok::<bool, DbError>(false);
                    }
                    insert_person(&mut conn, person, now).await?;
                    Ok(true)
                }
                .await;
                match result {
                    Ok(true) => {
                        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
                        Ok(true)
                    }
                    other => {
                        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                        other
                    }
                }
            }

            async fn insert_person(conn: &mut sqlx::pool::PoolConnection<$db>, person: &PersonRow, now: i64) -> Result<(), sqlx::Error> {
                sqlx::query("INSERT INTO people (id, login, name, role, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(person.id.to_string())
                    .bind(&person.login)
                    .bind(&person.name)
                    .bind(person.role.as_str())
                    .bind(&person.password_hash)
                    .bind(i64::from(person.disabled))
                    .bind(now)
                    .execute(&mut **conn)
                    .await
                    .map(drop)
            }

            pub async fn add_person(pool: &$pool, person: &PersonRow, now: i64) -> Result<bool, DbError> {
                let mut conn = pool.acquire().await?;
                let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE login = $1")
                    .bind(&person.login)
                    .fetch_one(&mut *conn)
                    .await?;
                if taken > 0 {
                    return Ok(false);
                }
                match insert_person(&mut conn, person, now).await {
                    Ok(()) => Ok(true),
                    // Two admins adding one login at once: the second is told it is taken.
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }

            pub async fn person_where(pool: &$pool, column: &str, value: &str) -> Result<Option<PersonRow>, DbError> {
                let sql = if column == "id" {
                    "SELECT id, login, name, role, password_hash, disabled, failures, failed_since, locked_until FROM people WHERE id = $1"
                } else {
                    "SELECT id, login, name, role, password_hash, disabled, failures, failed_since, locked_until FROM people WHERE login = $1"
                };
                let row: Option<$row> = sqlx::query(sql)
                    .bind(value)
                    .fetch_optional(pool)
                    .await?;
                row.as_ref().map(person_from).transpose()
            }

            pub async fn save_person(pool: &$pool, person: &PersonRow) -> Result<(), DbError> {
                sqlx::query("UPDATE people SET name = $1, role = $2, password_hash = $3, disabled = $4, failures = $5, failed_since = $6, locked_until = $7 WHERE id = $8")
                    .bind(&person.name)
                    .bind(person.role.as_str())
                    .bind(&person.password_hash)
                    .bind(i64::from(person.disabled))
                    .bind(person.failures)
                    .bind(person.failed_since)
                    .bind(person.locked_until)
                    .bind(person.id.to_string())
                    .execute(pool)
                    .await?;
                Ok(())
            }

            pub async fn people(pool: &$pool) -> Result<Vec<Person>, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT id, login, name, role, password_hash, disabled, failures, failed_since, locked_until FROM people ORDER BY login")
                    .fetch_all(pool)
                    .await?;
                let assignments: Vec<$row> = sqlx::query("SELECT person, client FROM assignments ORDER BY client")
                    .fetch_all(pool)
                    .await?;
                let mut people = Vec::with_capacity(rows.len());
                for row in &rows {
                    let p = person_from(row)?;
                    let mut clients = Vec::new();
                    for a in &assignments {
                        if a.text("person")? == p.id.to_string() {
                            clients.push(a.text("client")?.parse().map_err(|_| corrupt("an assignment's client"))?);
                        }
                    }
                    people.push(Person {
                        id: p.id,
                        login: p.login,
                        name: p.name,
                        role: p.role,
                        disabled: p.disabled,
                        locked_until: (p.locked_until > 0).then_some(p.locked_until),
                        clients,
                    });
                }
                Ok(people)
            }
        }
    };
}

people_backend!(
    sqlite_people,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE"
);
people_backend!(
    postgres_people,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "BEGIN; SELECT pg_advisory_xact_lock(7142027)"
);
