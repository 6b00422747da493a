//! What acceptance checks of a change's author, and the list's words.

use super::*;

#[test]
fn only_an_author_who_may_write_the_client_now_has_their_change_accepted() {
    assert_eq!(author_may_write(Role::Office, false, false), None);
    assert_eq!(author_may_write(Role::Coach, false, true), None);
    assert!(author_may_write(Role::Coach, false, false).is_some());
    assert!(author_may_write(Role::Admin, false, true).is_some());
    assert!(author_may_write(Role::Office, true, false).is_some());
}

#[test]
fn the_list_never_quotes_a_value() {
    let quoted = Refusal::BadValue {
        field: "created_at".into(),
        reason: "invalid type: string \"山田 花子\", expected i64".into(),
    };
    assert!(!without_value(quoted).to_string().contains("山田"));
    assert_eq!(without_value(Refusal::NotInScope), Refusal::NotInScope);
}
