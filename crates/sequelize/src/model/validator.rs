//! Attribute validators: Sequelize's `validate: { isEmail: true, len: [8, 100] }`.
//!
//! Each built-in rule is one of validator.js's, as Sequelize exposes them, with the same
//! reading of the value: the value as text (`String(value)`), so `min(1)` accepts the text
//! `"7"` and `is_int()` the number `7`. A rule with a message of its own reports it; the
//! others report Sequelize's `Validation <key> on <attribute> failed`. Custom rules are
//! closures, synchronous or `async`.

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use regex::Regex;

use crate::row::Row;
use crate::value::{FromValue, Value};

/// What a custom rule returns: `Err(message)` when the value is refused.
pub type Verdict = std::result::Result<(), String>;

type SyncCheck = Arc<dyn Fn(&Value) -> Verdict + Send + Sync>;
type AsyncCheck = Arc<dyn Fn(Value) -> Pin<Box<dyn Future<Output = Verdict> + Send>> + Send + Sync>;

/// One validator of an attribute, with an optional message of its own (Sequelize's
/// `{ args, msg }`).
///
/// ```
/// use sequelize::{Attribute, DataType, model::Validator};
/// let email = Attribute::new("email", DataType::String(None))
///     .validate(Validator::is_email().message("Enter an email address"))
///     .validate(Validator::len(3, 254));
/// assert!(Validator::is_email().check(&"ann@example.com".into()).is_ok());
/// assert!(Validator::len(8, 100).check(&"short".into()).is_err());
/// ```
#[derive(Clone)]
pub struct Validator {
    rule: Rule,
    message: Option<String>,
}

#[derive(Clone)]
enum Rule {
    /// The pattern, or why it does not compile (reported when the model is defined).
    Is(std::result::Result<Regex, String>),
    Not(std::result::Result<Regex, String>),
    IsEmail,
    IsUrl,
    IsIp,
    IsIpv4,
    IsIpv6,
    IsAlpha,
    IsAlphanumeric,
    IsNumeric,
    IsInt,
    IsFloat,
    IsDecimal,
    IsLowercase,
    IsUppercase,
    IsNull,
    NotEmpty,
    Equals(String),
    Contains(String),
    NotContains(Vec<String>),
    IsIn(Vec<String>),
    NotIn(Vec<String>),
    Len(usize, usize),
    Min(f64),
    Max(f64),
    IsUuid(Option<usize>),
    IsDate,
    IsAfter(DateTime<Utc>),
    IsBefore(DateTime<Utc>),
    IsArray,
    IsCreditCard,
    IsJson,
    IsHexColor,
    IsImmutable,
    Custom(&'static str, SyncCheck),
    CustomAsync(&'static str, AsyncCheck),
}

macro_rules! plain_rules {
    ($($(#[$doc:meta])* $name:ident => $rule:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name() -> Self {
            Validator::new(Rule::$rule)
        }
    )*};
}

impl Validator {
    fn new(rule: Rule) -> Self {
        Validator {
            rule,
            message: None,
        }
    }

    /// The message reported when this validator fails (Sequelize's `msg`).
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// let rule = Validator::is_int().message("a whole number, please");
    /// assert_eq!(rule.check(&"1.5".into()), Err("a whole number, please".to_string()));
    /// ```
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// `is`: the text matches the regular expression (Rust's `regex` syntax; `(?i)` for
    /// flags). A pattern that does not compile makes the model's definition fail, naming
    /// the attribute ([`problem`](Self::problem)).
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::is("^[a-z]+$").check(&"abc".into()).is_ok());
    /// assert!(Validator::is("(").problem().is_some());
    /// ```
    pub fn is(pattern: &str) -> Self {
        Validator::new(Rule::Is(regex(pattern)))
    }

    /// `not`: the text does not match the regular expression.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::not("[0-9]").check(&"abc".into()).is_ok());
    /// ```
    pub fn not(pattern: &str) -> Self {
        Validator::new(Rule::Not(regex(pattern)))
    }

    /// Why the validator cannot work (a pattern that does not compile), if it cannot.
    pub fn problem(&self) -> Option<&str> {
        match &self.rule {
            Rule::Is(Err(why)) | Rule::Not(Err(why)) => Some(why),
            _ => None,
        }
    }

    plain_rules! {
        /// `isEmail`: an address `local@domain.tld`.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_email().check(&"a.b+c@mail.example.org".into()).is_ok());
        /// assert!(Validator::is_email().check(&"a@localhost".into()).is_err());
        /// ```
        is_email => IsEmail,
        /// `isUrl`: an `http`, `https` or `ftp` URL with a host (the scheme may be left out).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_url().check(&"https://example.com/a?b=c".into()).is_ok());
        /// assert!(Validator::is_url().check(&"javascript:alert(1)".into()).is_err());
        /// ```
        is_url => IsUrl,
        /// `isIP`: an IPv4 or IPv6 address.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_ip().check(&"::1".into()).is_ok());
        /// ```
        is_ip => IsIp,
        /// `isIPv4`.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_ipv4().check(&"10.0.0.1".into()).is_ok());
        /// assert!(Validator::is_ipv4().check(&"::1".into()).is_err());
        /// ```
        is_ipv4 => IsIpv4,
        /// `isIPv6`.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_ipv6().check(&"fe80::1".into()).is_ok());
        /// ```
        is_ipv6 => IsIpv6,
        /// `isAlpha`: ASCII letters only.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_alpha().check(&"abcXYZ".into()).is_ok());
        /// assert!(Validator::is_alpha().check(&"abc1".into()).is_err());
        /// ```
        is_alpha => IsAlpha,
        /// `isAlphanumeric`: ASCII letters and digits only.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_alphanumeric().check(&"abc123".into()).is_ok());
        /// ```
        is_alphanumeric => IsAlphanumeric,
        /// `isNumeric`: digits, with an optional sign and decimal point (`-12.5`).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_numeric().check(&"-12.5".into()).is_ok());
        /// assert!(Validator::is_numeric().check(&"1e3".into()).is_err());
        /// ```
        is_numeric => IsNumeric,
        /// `isInt`: an integer without leading zeros.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_int().check(&sequelize::Value::Int(-7)).is_ok());
        /// assert!(Validator::is_int().check(&"07".into()).is_err());
        /// ```
        is_int => IsInt,
        /// `isFloat`: a decimal or exponent number (`1.5`, `-2e10`).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_float().check(&"-2e10".into()).is_ok());
        /// assert!(Validator::is_float().check(&"abc".into()).is_err());
        /// ```
        is_float => IsFloat,
        /// `isDecimal`: Sequelize's own decimal pattern (`12`, `-0.5`, `.5`, `1e-3`).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_decimal().check(&".5".into()).is_ok());
        /// assert!(Validator::is_decimal().check(&"1,5".into()).is_err());
        /// ```
        is_decimal => IsDecimal,
        /// `isLowercase`: no uppercase letter.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_lowercase().check(&"abc 1".into()).is_ok());
        /// ```
        is_lowercase => IsLowercase,
        /// `isUppercase`: no lowercase letter.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_uppercase().check(&"ABC".into()).is_ok());
        /// ```
        is_uppercase => IsUppercase,
        /// `isNull`: the empty text (validator.js's `isEmpty`).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_null().check(&"".into()).is_ok());
        /// ```
        is_null => IsNull,
        /// `notEmpty`: not empty, and not only whitespace.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::not_empty().check(&" \t".into()).is_err());
        /// ```
        not_empty => NotEmpty,
        /// `isDate`: a date, or a date and time (ISO 8601, RFC 3339, or `YYYY-MM-DD HH:MM:SS`).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_date().check(&"2024-02-29".into()).is_ok());
        /// assert!(Validator::is_date().check(&"2023-02-29".into()).is_err());
        /// ```
        is_date => IsDate,
        /// `isArray`: an array (an `ARRAY` value or a JSON array).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_array().check(&serde_json::json!([1]).into()).is_ok());
        /// ```
        is_array => IsArray,
        /// `isCreditCard`: 13 to 19 digits (spaces and dashes allowed) passing Luhn's check.
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_credit_card().check(&"4111 1111 1111 1111".into()).is_ok());
        /// assert!(Validator::is_credit_card().check(&"4111 1111 1111 1112".into()).is_err());
        /// ```
        is_credit_card => IsCreditCard,
        /// `isJSON`: text that parses as JSON (or a JSON value).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_json().check(&r#"{"a": 1}"#.into()).is_ok());
        /// ```
        is_json => IsJson,
        /// `isHexColor`: `#abc`, `#aabbcc` (the `#` optional; 3, 4, 6 or 8 digits).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_hex_color().check(&"#1f2A3c".into()).is_ok());
        /// ```
        is_hex_color => IsHexColor,
        /// `isImmutable`: once saved, the value may not change (checked on updates).
        ///
        /// ```
        /// use sequelize::model::Validator;
        /// assert!(Validator::is_immutable().check(&"anything".into()).is_ok());
        /// ```
        is_immutable => IsImmutable,
    }

    /// `equals`: exactly this text.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::equals("yes").check(&"yes".into()).is_ok());
    /// ```
    pub fn equals(text: impl Into<String>) -> Self {
        Validator::new(Rule::Equals(text.into()))
    }

    /// `contains`: the text contains this.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::contains("@").check(&"a@b".into()).is_ok());
    /// ```
    pub fn contains(text: impl Into<String>) -> Self {
        Validator::new(Rule::Contains(text.into()))
    }

    /// `notContains`: the text contains none of these.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::not_contains(["<", ">"]).check(&"<b>".into()).is_err());
    /// ```
    pub fn not_contains<S: Into<String>>(texts: impl IntoIterator<Item = S>) -> Self {
        Validator::new(Rule::NotContains(strings(texts)))
    }

    /// `isIn`: one of these (compared as text).
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::is_in(["draft", "published"]).check(&"draft".into()).is_ok());
    /// ```
    pub fn is_in<S: Into<String>>(texts: impl IntoIterator<Item = S>) -> Self {
        Validator::new(Rule::IsIn(strings(texts)))
    }

    /// `notIn`: none of these.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::not_in(["admin", "root"]).check(&"root".into()).is_err());
    /// ```
    pub fn not_in<S: Into<String>>(texts: impl IntoIterator<Item = S>) -> Self {
        Validator::new(Rule::NotIn(strings(texts)))
    }

    /// `len: [min, max]`: between `min` and `max` characters, both included.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::len(1, 3).check(&"héé".into()).is_ok());
    /// assert!(Validator::len(1, 3).check(&"".into()).is_err());
    /// ```
    pub fn len(min: usize, max: usize) -> Self {
        Validator::new(Rule::Len(min, max))
    }

    /// `min: n`: a number at least `n` (text that is no number passes, as in Sequelize).
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::min(18.0).check(&sequelize::Value::Int(17)).is_err());
    /// ```
    pub fn min(n: f64) -> Self {
        Validator::new(Rule::Min(n))
    }

    /// `max: n`: a number at most `n`.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert!(Validator::max(5.0).check(&"5".into()).is_ok());
    /// ```
    pub fn max(n: f64) -> Self {
        Validator::new(Rule::Max(n))
    }

    /// `isUUID: version`: a UUID of this version (1 to 5), or of any with `None` (`'all'`).
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// let v4 = uuid::Uuid::new_v4().to_string();
    /// assert!(Validator::is_uuid(Some(4)).check(&v4.as_str().into()).is_ok());
    /// assert!(Validator::is_uuid(Some(1)).check(&v4.as_str().into()).is_err());
    /// ```
    pub fn is_uuid(version: Option<usize>) -> Self {
        Validator::new(Rule::IsUuid(version))
    }

    /// `isAfter: date`: a date after this instant.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// let y2k = "2000-01-01T00:00:00Z".parse().unwrap();
    /// assert!(Validator::is_after(y2k).check(&"2024-05-01".into()).is_ok());
    /// ```
    pub fn is_after(instant: DateTime<Utc>) -> Self {
        Validator::new(Rule::IsAfter(instant))
    }

    /// `isBefore: date`: a date before this instant.
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// let y2k = "2000-01-01T00:00:00Z".parse().unwrap();
    /// assert!(Validator::is_before(y2k).check(&"2024-05-01".into()).is_err());
    /// ```
    pub fn is_before(instant: DateTime<Utc>) -> Self {
        Validator::new(Rule::IsBefore(instant))
    }

    /// A custom validator (Sequelize's `myCheck(value) { throw … }`), under `name`; it
    /// returns `Err(message)` to refuse the value. Runs even on a `NULL` value when the
    /// attribute allows `NULL`, as Sequelize's custom validators do.
    ///
    /// ```
    /// use sequelize::{model::Validator, Value};
    /// let even = Validator::custom("isEven", |v: &Value| match v {
    ///     Value::Int(i) if i % 2 == 0 => Ok(()),
    ///     _ => Err("must be even".into()),
    /// });
    /// assert_eq!(even.check(&Value::Int(3)), Err("must be even".to_string()));
    /// ```
    pub fn custom(
        name: &'static str,
        check: impl Fn(&Value) -> Verdict + Send + Sync + 'static,
    ) -> Self {
        Validator::new(Rule::Custom(name, Arc::new(check)))
    }

    /// An `async` custom validator (one that asks a service or the database), under `name`.
    /// Validation awaits it before any SQL is sent; [`check`](Self::check) cannot run it.
    ///
    /// ```
    /// use sequelize::{model::Validator, Value};
    /// let available = Validator::custom_async("isAvailable", |v: Value| async move {
    ///     if v == Value::from("taken") { Err("already taken".to_string()) } else { Ok(()) }
    /// });
    /// ```
    pub fn custom_async<F>(
        name: &'static str,
        check: impl Fn(Value) -> F + Send + Sync + 'static,
    ) -> Self
    where
        F: Future<Output = Verdict> + Send + 'static,
    {
        let check: AsyncCheck = Arc::new(move |value| Box::pin(check(value)));
        Validator::new(Rule::CustomAsync(name, check))
    }

    /// Sequelize's key for this validator (`isEmail`, `len`, a custom one's name).
    ///
    /// ```
    /// use sequelize::model::Validator;
    /// assert_eq!(Validator::is_uuid(None).key(), "isUUID");
    /// ```
    pub fn key(&self) -> &'static str {
        match &self.rule {
            Rule::Is(_) => "is",
            Rule::Not(_) => "not",
            Rule::IsEmail => "isEmail",
            Rule::IsUrl => "isUrl",
            Rule::IsIp => "isIP",
            Rule::IsIpv4 => "isIPv4",
            Rule::IsIpv6 => "isIPv6",
            Rule::IsAlpha => "isAlpha",
            Rule::IsAlphanumeric => "isAlphanumeric",
            Rule::IsNumeric => "isNumeric",
            Rule::IsInt => "isInt",
            Rule::IsFloat => "isFloat",
            Rule::IsDecimal => "isDecimal",
            Rule::IsLowercase => "isLowercase",
            Rule::IsUppercase => "isUppercase",
            Rule::IsNull => "isNull",
            Rule::NotEmpty => "notEmpty",
            Rule::Equals(_) => "equals",
            Rule::Contains(_) => "contains",
            Rule::NotContains(_) => "notContains",
            Rule::IsIn(_) => "isIn",
            Rule::NotIn(_) => "notIn",
            Rule::Len(..) => "len",
            Rule::Min(_) => "min",
            Rule::Max(_) => "max",
            Rule::IsUuid(_) => "isUUID",
            Rule::IsDate => "isDate",
            Rule::IsAfter(_) => "isAfter",
            Rule::IsBefore(_) => "isBefore",
            Rule::IsArray => "isArray",
            Rule::IsCreditCard => "isCreditCard",
            Rule::IsJson => "isJSON",
            Rule::IsHexColor => "isHexColor",
            Rule::IsImmutable => "isImmutable",
            Rule::Custom(name, _) | Rule::CustomAsync(name, _) => name,
        }
    }

    /// Whether the validator is the developer's own, which runs on `NULL` too.
    pub(crate) fn is_custom(&self) -> bool {
        matches!(self.rule, Rule::Custom(..) | Rule::CustomAsync(..))
    }

    /// Runs the validator on `value`: `Err` with its message when the value fails (its own
    /// message, or `Validation <key> failed`). An `async` custom validator is not run here
    /// (see [`custom_async`](Self::custom_async)), nor `isImmutable`, which needs the saved
    /// value.
    pub fn check(&self, value: &Value) -> Verdict {
        self.check_sync(value)
            .map_err(|m| m.unwrap_or_else(|| format!("Validation {} failed", self.key())))
    }

    /// [`check`](Self::check) with `None` for "no message of its own".
    fn check_sync(&self, value: &Value) -> std::result::Result<(), Option<String>> {
        let passed = match &self.rule {
            Rule::Custom(_, check) => return check(value).map_err(|m| Some(self.message_or(m))),
            Rule::CustomAsync(..) | Rule::IsImmutable => true,
            rule => rule.passes(value),
        };
        if passed {
            Ok(())
        } else {
            Err(self.message.clone())
        }
    }

    /// Runs the validator, awaiting an `async` custom one; `previous` is the saved value on
    /// an update (for `isImmutable`). The error is `None` when the validator has no message
    /// of its own, and the caller words Sequelize's default one.
    pub(crate) async fn run(
        &self,
        value: &Value,
        previous: Option<&Value>,
    ) -> std::result::Result<(), Option<String>> {
        match &self.rule {
            Rule::CustomAsync(_, check) => {
                (check(value.clone()).await).map_err(|m| Some(self.message_or(m)))
            }
            Rule::IsImmutable => match previous {
                Some(previous) if previous != value => Err(self.message.clone()),
                _ => Ok(()),
            },
            _ => self.check_sync(value),
        }
    }

    fn message_or(&self, own: String) -> String {
        self.message.clone().unwrap_or(own)
    }
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Validator({})", self.key())
    }
}

/// Two validators are equal when they have the same key and message (closures cannot be
/// compared), so that two definitions of a model compare by what they declare.
impl PartialEq for Validator {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key() && self.message == other.message
    }
}

/// A model-level validator (Sequelize's model option `validate: { bothCoordsOrNone() {…} }`):
/// a check of the whole row, under a name, run after the attribute validators on `create`
/// and `save`. Its failure is reported under its name.
///
/// ```
/// use sequelize::model::ModelValidator;
/// let both_or_none = ModelValidator::new("bothCoordsOrNone", |row: &sequelize::Row| {
///     let lat: Option<f64> = row.get("latitude").map_err(|e| e.to_string())?;
///     let lng: Option<f64> = row.get("longitude").map_err(|e| e.to_string())?;
///     if lat.is_some() == lng.is_some() { Ok(()) } else { Err("both coordinates, or none".into()) }
/// });
/// assert_eq!(both_or_none.name(), "bothCoordsOrNone");
/// ```
#[derive(Clone)]
pub struct ModelValidator {
    name: String,
    check: Arc<dyn Fn(&Row) -> Verdict + Send + Sync>,
}

impl ModelValidator {
    /// A validator of the row (its attributes by name, as [`Row::get`] reads them).
    pub fn new(
        name: impl Into<String>,
        check: impl Fn(&Row) -> Verdict + Send + Sync + 'static,
    ) -> Self {
        ModelValidator {
            name: name.into(),
            check: Arc::new(check),
        }
    }

    /// The validator's name, under which its failure is reported.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the validator on a row.
    pub(crate) fn run(&self, row: &Row) -> Verdict {
        (self.check)(row)
    }
}

impl fmt::Debug for ModelValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ModelValidator({})", self.name)
    }
}

/// Model validators compare by name (closures cannot be compared).
impl PartialEq for ModelValidator {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ModelValidator {}

fn regex(pattern: &str) -> std::result::Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("the pattern {pattern:?} does not compile: {e}"))
}

fn strings<S: Into<String>>(texts: impl IntoIterator<Item = S>) -> Vec<String> {
    texts.into_iter().map(Into::into).collect()
}

/// The value as validator.js sees it: `String(value)`.
fn text(value: &Value) -> String {
    match value {
        Value::Text(s) => s.clone(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Null => String::new(),
        // Numbers, booleans, dates, UUIDs and JSON as their JSON form shows them (a JSON
        // string without its quotes).
        other => match serde_json::to_value(other) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(json) => json.to_string(),
            Err(_) => String::new(),
        },
    }
}

/// A date or an instant, from a date value or from text.
fn instant(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::Timestamp(t) => Some(*t),
        Value::DateTime(n) => Some(n.and_utc()),
        Value::Date(d) => Some(d.and_time(chrono::NaiveTime::MIN).and_utc()),
        _ => {
            let s = text(value);
            let s = s.trim();
            DateTime::<Utc>::from_value(Value::Text(s.to_owned()))
                .ok()
                .or_else(|| {
                    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                        .ok()
                        .map(|n| n.and_utc())
                })
                .or_else(|| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .ok()
                        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
                })
        }
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Decimal(d) => f64::try_from(*d).ok(),
        _ => text(value).trim().parse().ok(),
    }
}

impl Rule {
    fn passes(&self, value: &Value) -> bool {
        let s = text(value);
        let all = |s: &str, ok: fn(char) -> bool| !s.is_empty() && s.chars().all(ok);
        match self {
            // A pattern that does not compile refuses every value (the definition reports it).
            Rule::Is(re) => re.as_ref().is_ok_and(|re| re.is_match(&s)),
            Rule::Not(re) => re.as_ref().is_ok_and(|re| !re.is_match(&s)),
            Rule::IsEmail => is_email(&s),
            Rule::IsUrl => is_url(&s),
            Rule::IsIp => s.parse::<IpAddr>().is_ok(),
            Rule::IsIpv4 => s.parse::<Ipv4Addr>().is_ok(),
            Rule::IsIpv6 => s.parse::<Ipv6Addr>().is_ok(),
            Rule::IsAlpha => all(&s, |c| c.is_ascii_alphabetic()),
            Rule::IsAlphanumeric => all(&s, |c| c.is_ascii_alphanumeric()),
            Rule::IsNumeric => NUMERIC.is_match(&s),
            Rule::IsInt => INT.is_match(&s),
            Rule::IsFloat => !matches!(s.as_str(), "" | "." | "-" | "+") && FLOAT.is_match(&s),
            Rule::IsDecimal => !s.is_empty() && DECIMAL.is_match(&s),
            Rule::IsLowercase => s == s.to_lowercase(),
            Rule::IsUppercase => s == s.to_uppercase(),
            Rule::IsNull => s.is_empty(),
            Rule::NotEmpty => !s.trim().is_empty(),
            Rule::Equals(x) => s == *x,
            Rule::Contains(x) => s.contains(x.as_str()),
            Rule::NotContains(xs) => !xs.iter().any(|x| s.contains(x.as_str())),
            Rule::IsIn(xs) => xs.contains(&s),
            Rule::NotIn(xs) => !xs.contains(&s),
            Rule::Len(min, max) => (*min..=*max).contains(&s.chars().count()),
            Rule::Min(n) => number(value).is_none_or(|v| v.is_nan() || v >= *n),
            Rule::Max(n) => number(value).is_none_or(|v| v.is_nan() || v <= *n),
            Rule::IsUuid(version) => match uuid::Uuid::parse_str(&s) {
                Ok(u) if s.len() == 36 => version.is_none_or(|v| u.get_version_num() == v),
                _ => false,
            },
            Rule::IsDate => instant(value).is_some(),
            Rule::IsAfter(t) => instant(value).is_some_and(|v| v > *t),
            Rule::IsBefore(t) => instant(value).is_some_and(|v| v < *t),
            Rule::IsArray => match value {
                Value::Array(_) => true,
                Value::Json(j) => j.is_array(),
                _ => false,
            },
            Rule::IsCreditCard => is_credit_card(&s),
            Rule::IsJson => {
                matches!(value, Value::Json(_))
                    || serde_json::from_str::<serde_json::Value>(&s).is_ok()
            }
            Rule::IsHexColor => HEX_COLOR.is_match(&s),
            Rule::IsImmutable | Rule::Custom(..) | Rule::CustomAsync(..) => true,
        }
    }
}

/// The patterns of the validators that are regular expressions, compiled once.
macro_rules! patterns {
    ($($name:ident = $pattern:literal;)*) => {$(
        static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pattern).expect("a valid built-in pattern"));
    )*};
}

patterns! {
    NUMERIC = r"^[+-]?([0-9]*\.)?[0-9]+$";
    INT = r"^[-+]?(0|[1-9][0-9]*)$";
    FLOAT = r"^[-+]?[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?$";
    DECIMAL = r"^(-?[0-9]+)?(\.[0-9]*)?([eE][-+]?[0-9]+)?$";
    HEX_COLOR = r"^#?([0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$";
}

/// `local@domain.tld`: a local part of the characters RFC 5322 allows unquoted (no leading,
/// trailing or double dot, at most 64), and a domain of at least two labels of letters,
/// digits and inner hyphens, the last one alphabetic and at least two long.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    local_ok && is_domain(domain)
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
}

/// An `http`, `https` or `ftp` URL whose host is a domain with a top-level domain, an IP
/// address or `localhost`; without a scheme, `http://` is assumed (validator.js's defaults).
fn is_url(s: &str) -> bool {
    if s.is_empty() || s.len() > 2083 || s.chars().any(char::is_whitespace) {
        return false;
    }
    let with_scheme = if s.contains("://") {
        s.to_owned()
    } else {
        format!("http://{s}")
    };
    let Ok(url) = url::Url::parse(&with_scheme) else {
        return false;
    };
    matches!(url.scheme(), "http" | "https" | "ftp")
        && match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost" || is_domain(d),
            Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
            None => false,
        }
}

/// 13 to 19 digits (spaces and dashes ignored) passing Luhn's checksum.
fn is_credit_card(s: &str) -> bool {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2, d * 2) {
            (1, doubled) if doubled > 9 => doubled - 9,
            (1, doubled) => doubled,
            _ => d,
        })
        .sum();
    sum % 10 == 0
}
