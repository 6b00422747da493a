//! Reading internally tagged enums (`{"type": "…", …fields}`) without serde's buffering.
//!
//! `#[derive(Deserialize)]` on an enum with `#[serde(tag = "…")]` reads the whole object into
//! serde's private `Content` tree first, then reads each variant out of that tree: every field's
//! type is compiled once more for the tree, per enum and per deserializer, and the enum's own
//! function grows with every variant (the instrument diff's was 38 KB of the app's wasm). The
//! enums the app reads are read instead through one plain struct: the tag and every variant's
//! fields, each optional, read in one pass; then the variant the tag names is built from the
//! fields it needs. What is written does not change (`Serialize` stays derived), and what is read
//! is the same: a missing tag, an unknown tag or a missing field of the tagged variant is refused
//! with serde's own error, unknown fields are ignored (or refused, for an enum that refuses
//! them), and fields of other variants are not taken. One difference, for text no one writes: a
//! field of another variant is read too, so one of the wrong type is refused where the derived
//! reading skipped it (the server and the app write only the tagged variant's fields); and
//! serde's tagged reading also took an array `[tag, fields…]`, which nothing writes.

use serde::de::Error;

/// The field `name` the variant needs: refused as serde refuses a missing field.
pub fn need<T, E: Error>(field: Option<T>, name: &'static str) -> Result<T, E> {
    field.ok_or_else(|| E::missing_field(name))
}

/// A field read as itself, `Some` when given: with `#[serde(default, deserialize_with =
/// "given")]` a missing field is `None` and a `null` is refused, as the derived reading refused
/// it (a plain `Option` would take `null` for a missing field).
pub fn given<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Refuses the first field given that the tagged variant does not have (for an enum that denies
/// unknown fields): `given` pairs each field of the plain struct with whether it was present.
pub fn only<E: Error>(
    given: &[(&'static str, bool)],
    allowed: &'static [&'static str],
) -> Result<(), E> {
    match given
        .iter()
        .find(|(name, present)| *present && !allowed.contains(name))
    {
        Some((name, _)) => Err(E::unknown_field(name, allowed)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type E = serde_json::Error;

    #[test]
    fn a_missing_field_is_refused_by_its_name() {
        assert_eq!(need::<u8, E>(Some(3), "a").unwrap(), 3);
        let error = need::<u8, E>(None, "cursor").unwrap_err();
        assert_eq!(error.to_string(), "missing field `cursor`");
    }

    #[test]
    fn a_field_of_another_variant_is_refused_when_unknown_fields_are() {
        let allowed = &["value"];
        assert!(only::<E>(&[("value", true), ("lines", false)], allowed).is_ok());
        let error = only::<E>(&[("value", true), ("lines", true)], allowed).unwrap_err();
        assert_eq!(error.to_string(), "unknown field `lines`, expected `value`");
    }
}
