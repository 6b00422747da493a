//! What the app keeps: clients, and their records (self-assessments and visit notes), each made
//! with one instrument definition.

use crate::answer::{Answer, AnswerProblem};
use crate::consent::{Consent, Purpose};
use crate::date::Date;
use crate::ids::{ClientId, RecordId};
use crate::instrument::{Instrument, InstrumentRef, Lists, RecordKind, Role};
use crate::stored::Stored;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A person supported by the agency (利用者).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    /// The name's reading in kana, for sorting and searching.
    #[serde(default)]
    pub kana: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub workplace: String,
    #[serde(default)]
    pub notes: String,
    /// The client's consents, by purpose (see [`crate::consent`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub consents: BTreeMap<Purpose, Consent>,
    /// Milliseconds since the Unix epoch, by the device's clock (for display only).
    pub created_at: i64,
    pub updated_at: i64,
}

impl Client {
    /// The age on `today`, derived from the date of birth, never typed.
    pub fn age_on(&self, today: Date) -> Option<u16> {
        self.birth_date?.age_on(today)
    }

    /// Whether `query` (already trimmed) is in the name or the kana reading. Katakana in either
    /// is matched as hiragana, so "やまだ" finds "ヤマダ".
    pub fn matches(&self, query: &str) -> bool {
        let query = fold_kana(query);
        query.is_empty()
            || fold_kana(&self.name).contains(&query)
            || fold_kana(&self.kana).contains(&query)
    }
}

/// Lower-cases ASCII and maps katakana to hiragana, for searching.
pub fn fold_kana(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c.to_ascii_lowercase(),
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Who filled in a self-assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnsweredBy {
    /// 本人
    Person,
    /// 本人（支援者と一緒に）
    PersonWithSupporter,
    /// 支援者（聞き取り）
    SupporterInterview,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Draft,
    Complete,
}

/// One filled-in instrument: a self-assessment or a visit note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: RecordId,
    pub client: ClientId,
    pub kind: RecordKind,
    pub instrument: InstrumentRef,
    /// Answers by field key `sheet.question`; an unanswered question has no entry.
    pub answers: BTreeMap<String, Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<AnsweredBy>,
    #[serde(default)]
    pub status: Status,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Why a record cannot be marked complete.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompletionProblem {
    #[error("the consent date is required")]
    NoConsentDate,
    #[error("who answered is required")]
    NoAnsweredBy,
    #[error("{field}: {problem}")]
    Answer {
        field: String,
        problem: AnswerProblem,
    },
    #[error("{0}: no such question in this instrument")]
    UnknownField(String),
    /// The client withdrew the consent to use their records (see [`crate::consent`]).
    #[error("the client withdrew the consent to use their records")]
    ConsentWithdrawn,
}

impl Record {
    pub fn new(id: RecordId, client: ClientId, instrument: &Instrument, now: i64) -> Self {
        Self {
            id,
            client,
            kind: instrument.kind,
            instrument: instrument.reference(),
            answers: BTreeMap::new(),
            answered_by: None,
            status: Status::Draft,
            created_at: now,
            updated_at: now,
        }
    }

    /// Sets or (when empty) removes one answer.
    pub fn set_answer(&mut self, field: &str, answer: Option<Answer>, now: i64) {
        match answer.filter(|a| !a.is_empty()) {
            Some(answer) => self.answers.insert(field.to_owned(), answer),
            None => self.answers.remove(field),
        };
        self.updated_at = now;
    }

    /// The date of the answer to the question with `role`.
    pub fn date_of(&self, instrument: &Instrument, role: Role) -> Option<Date> {
        match self.answers.get(&instrument.role_key(role)?)? {
            Answer::Date { value } => Some(*value),
            _ => None,
        }
    }

    /// Every answer's problems, plus what completion requires: the consent date for an
    /// instrument that asks for one, and who answered for a self-assessment.
    pub fn problems(
        &self,
        instrument: &Instrument,
        lists: &Lists,
        for_completion: bool,
    ) -> Vec<CompletionProblem> {
        let mut problems = Vec::new();
        for (field, answer) in &self.answers {
            match instrument.question(field) {
                None => problems.push(CompletionProblem::UnknownField(field.clone())),
                Some(question) => {
                    problems.extend(answer.problems(&question.answer, lists).into_iter().map(
                        |problem| CompletionProblem::Answer {
                            field: field.clone(),
                            problem,
                        },
                    ))
                }
            }
        }
        if for_completion {
            if instrument.role_key(Role::ConsentDate).is_some()
                && self.date_of(instrument, Role::ConsentDate).is_none()
            {
                problems.push(CompletionProblem::NoConsentDate);
            }
            if self.kind == RecordKind::Assessment && self.answered_by.is_none() {
                problems.push(CompletionProblem::NoAnsweredBy);
            }
        }
        problems
    }

    /// Marks the record complete if nothing stands in the way; otherwise says what does.
    pub fn complete(
        &mut self,
        instrument: &Instrument,
        lists: &Lists,
        now: i64,
    ) -> Result<(), Vec<CompletionProblem>> {
        let problems = self.problems(instrument, lists, true);
        if !problems.is_empty() {
            return Err(problems);
        }
        self.status = Status::Complete;
        self.updated_at = now;
        Ok(())
    }
}

// The stored envelope's key for each (see `stored`): these are the pre-sync shapes a device
// wrote before the synced chunks.
impl Stored for Client {
    const KIND: &'static str = "client";
}

impl Stored for Record {
    const KIND: &'static str = "record";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    fn msfas_record() -> (Catalogue, Record) {
        let catalogue = Catalogue::builtin().unwrap();
        let msfas = catalogue.latest("msfas").unwrap().clone();
        let record = Record::new(
            RecordId::new_v7(1, [1; 10]),
            ClientId::new_v7(1, [2; 10]),
            &msfas,
            1,
        );
        (catalogue, record)
    }

    #[test]
    fn an_assessment_cannot_be_completed_without_a_consent_date_and_who_answered() {
        let (catalogue, mut record) = msfas_record();
        let msfas = catalogue.latest("msfas").unwrap();
        let problems = record.complete(msfas, &catalogue.lists, 2).unwrap_err();
        assert_eq!(
            problems,
            [
                CompletionProblem::NoConsentDate,
                CompletionProblem::NoAnsweredBy
            ]
        );
        assert_eq!(record.status, Status::Draft);

        record.set_answer(
            "cover.consent_date",
            Some(Answer::Date {
                value: "2026-11-21".parse().unwrap(),
            }),
            3,
        );
        record.answered_by = Some(AnsweredBy::PersonWithSupporter);
        record.complete(msfas, &catalogue.lists, 4).unwrap();
        assert_eq!((record.status, record.updated_at), (Status::Complete, 4));
    }

    #[test]
    fn invalid_answers_stop_completion_and_say_where_they_are() {
        let (catalogue, mut record) = msfas_record();
        let msfas = catalogue.latest("msfas").unwrap();
        record.set_answer(
            "cover.consent_date",
            Some(Answer::Date {
                value: "2026-11-21".parse().unwrap(),
            }),
            2,
        );
        record.answered_by = Some(AnsweredBy::Person);
        record.set_answer(
            "user1.q4",
            Some(Answer::Multi {
                choices: vec!["none".into(), "sleepy".into()],
                other: String::new(),
            }),
            3,
        );
        let problems = record.complete(msfas, &catalogue.lists, 4).unwrap_err();
        assert_eq!(
            problems,
            [CompletionProblem::Answer {
                field: "user1.q4".into(),
                problem: AnswerProblem::NotAlone("none".into())
            }]
        );
    }

    #[test]
    fn an_emptied_answer_is_removed_not_stored() {
        let (_, mut record) = msfas_record();
        record.set_answer(
            "user1.q2",
            Some(Answer::Text {
                lines: vec!["レジ打ち".into()],
            }),
            2,
        );
        assert!(record.answers.contains_key("user1.q2"));
        record.set_answer(
            "user1.q2",
            Some(Answer::Text {
                lines: vec!["".into()],
            }),
            3,
        );
        assert!(!record.answers.contains_key("user1.q2"));
    }

    #[test]
    fn clients_are_found_by_name_or_kana_in_either_script() {
        let client = Client {
            id: ClientId::new_v7(1, [0; 10]),
            name: "山田 花子".into(),
            kana: "ヤマダ ハナコ".into(),
            birth_date: Some("1990-04-01".parse().unwrap()),
            workplace: String::new(),
            notes: String::new(),
            consents: Default::default(),
            created_at: 0,
            updated_at: 0,
        };
        for (query, found) in [
            ("山田", true),
            ("やまだ", true),
            ("ハナコ", true),
            ("やまだはなこ", true),
            ("", true),
            ("田中", false),
        ] {
            assert_eq!(client.matches(query), found, "{query}");
        }
        assert_eq!(client.age_on("2026-11-21".parse().unwrap()), Some(36));
    }
}
