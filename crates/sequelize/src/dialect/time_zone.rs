//! The session time zone (Sequelize's `timezone` option): the zone the server's clock
//! functions answer in, and the zone instants are written in where the storage has no zone
//! of its own (MySQL `DATETIME`, SQLite text).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone as _, Utc};

use crate::error::{Error, Result};

/// A time zone: a fixed offset from UTC (`+05:30`) or a zone of the IANA database
/// (`Europe/Paris`), whose offset follows daylight saving time.
///
/// The default is UTC (`+00:00`), as in Sequelize. Parse one from Sequelize's strings with
/// [`str::parse`]; a string that is neither is an [`Error::Config`] naming `timezone`.
///
/// ```
/// use sequelize::TimeZone;
/// let india: TimeZone = "+05:30".parse().unwrap();
/// assert_eq!(india.to_string(), "+05:30");
/// let paris: TimeZone = "Europe/Paris".parse().unwrap();
/// assert_eq!(paris.to_string(), "Europe/Paris");
/// assert_eq!(TimeZone::default().to_string(), "+00:00");
/// let err = "Mars/Olympus".parse::<TimeZone>().unwrap_err();
/// assert!(err.to_string().contains("timezone"), "{err}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    /// A fixed offset east of UTC.
    Offset(FixedOffset),
    /// A zone of the IANA time zone database.
    Named(chrono_tz::Tz),
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::UTC
    }
}

impl TimeZone {
    /// UTC, the default.
    ///
    /// ```
    /// assert!(sequelize::TimeZone::UTC.is_utc());
    /// ```
    pub const UTC: TimeZone = TimeZone::Offset(match FixedOffset::east_opt(0) {
        Some(utc) => utc,
        None => unreachable!(),
    });

    /// Whether this zone is UTC at every instant (`+00:00`, `UTC`, `Etc/UTC`, …): then no
    /// value needs converting.
    ///
    /// ```
    /// use sequelize::TimeZone;
    /// assert!("UTC".parse::<TimeZone>().unwrap().is_utc());
    /// assert!(!"Europe/London".parse::<TimeZone>().unwrap().is_utc());
    /// ```
    pub fn is_utc(&self) -> bool {
        match self {
            TimeZone::Offset(offset) => offset.local_minus_utc() == 0,
            TimeZone::Named(zone) => zone.name().trim_start_matches("Etc/") == "UTC",
        }
    }

    /// The zone's offset at the instant `t`.
    ///
    /// ```
    /// use chrono::{TimeZone as _, Utc};
    /// use sequelize::TimeZone;
    /// let new_york: TimeZone = "America/New_York".parse().unwrap();
    /// let january = Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).unwrap();
    /// let july = Utc.with_ymd_and_hms(2024, 7, 15, 12, 0, 0).unwrap();
    /// assert_eq!(new_york.offset_at(january).local_minus_utc(), -5 * 3600);
    /// assert_eq!(new_york.offset_at(july).local_minus_utc(), -4 * 3600);
    /// ```
    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            TimeZone::Offset(offset) => *offset,
            TimeZone::Named(zone) => zone.offset_from_utc_datetime(&t.naive_utc()).fix(),
        }
    }

    /// The instant `t` as this zone's wall clock, with its offset.
    ///
    /// ```
    /// use chrono::{TimeZone as _, Utc};
    /// let t = Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).unwrap();
    /// let local = "+05:30".parse::<sequelize::TimeZone>().unwrap().local(t);
    /// assert_eq!(local.to_rfc3339(), "2024-01-15T17:30:00+05:30");
    /// ```
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset_at(t))
    }

    /// The instant at which this zone's wall clock reads `local`. A wall-clock time that
    /// happens twice (when the clocks go back) is the earlier instant; one that never happens
    /// (when they go forward) is read with the offset in force just before the change, as
    /// JavaScript's `Date` and moment-timezone read it.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use sequelize::TimeZone;
    /// let paris: TimeZone = "Europe/Paris".parse().unwrap();
    /// let day = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    /// let t = paris.instant(day.and_hms_opt(14, 0, 0).unwrap());
    /// assert_eq!(t.to_rfc3339(), "2024-07-01T12:00:00+00:00");
    /// ```
    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self {
            TimeZone::Offset(offset) => (local - offset.fix()).and_utc(),
            TimeZone::Named(zone) => match zone.from_local_datetime(&local) {
                chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                    t.with_timezone(&Utc)
                }
                // In a gap: the offset of the hours before it (they are shorter by the gap).
                chrono::LocalResult::None => {
                    let before = zone
                        .offset_from_utc_datetime(&(local - chrono::Duration::days(1)))
                        .fix();
                    (local - before).and_utc()
                }
            },
        }
    }

    /// A UTC wall clock (how the ORM holds zone-less values) as this zone's wall clock.
    #[cfg(feature = "mysql")]
    pub(crate) fn utc_to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        self.local(utc.and_utc()).naive_local()
    }

    /// This zone's wall clock as a UTC wall clock.
    #[cfg(feature = "mysql")]
    pub(crate) fn local_to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        self.instant(local).naive_utc()
    }

    /// The value PostgreSQL's `TimeZone` setting takes for this zone: the name, or for an
    /// offset the POSIX form PostgreSQL itself shows for `SET TIME ZONE INTERVAL` (POSIX
    /// counts hours west of UTC, so the sign is turned: `<+05:30>-05:30`).
    #[cfg(feature = "postgres")]
    pub(crate) fn postgres_setting(&self) -> String {
        match self {
            TimeZone::Named(zone) => zone.name().to_owned(),
            TimeZone::Offset(_) if self.is_utc() => "UTC".to_owned(),
            TimeZone::Offset(offset) => {
                let turned = FixedOffset::east_opt(-offset.local_minus_utc())
                    .expect("the negation of a valid offset is valid");
                format!("<{offset}>{turned}")
            }
        }
    }

    /// The value of MySQL's `time_zone` for this zone at the instant `now`: a name the
    /// server may know (its time zone tables are often empty), and the offset it has now.
    #[cfg(feature = "mysql")]
    pub(crate) fn mysql_settings(&self, now: DateTime<Utc>) -> (Option<&'static str>, String) {
        let name = match self {
            TimeZone::Named(zone) => Some(zone.name()),
            TimeZone::Offset(_) => None,
        };
        (name, self.offset_at(now).to_string())
    }
}

impl From<FixedOffset> for TimeZone {
    fn from(offset: FixedOffset) -> Self {
        TimeZone::Offset(offset)
    }
}

impl From<chrono_tz::Tz> for TimeZone {
    fn from(zone: chrono_tz::Tz) -> Self {
        TimeZone::Named(zone)
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeZone::Offset(offset) => write!(f, "{offset}"),
            TimeZone::Named(zone) => f.write_str(zone.name()),
        }
    }
}

impl FromStr for TimeZone {
    type Err = Error;

    /// Sequelize's forms: an offset (`+05:30`, `-08:00`, also `+0530` and `+05`), `Z`, or an
    /// IANA zone name (`UTC`, `Asia/Kolkata`).
    fn from_str(s: &str) -> Result<Self> {
        if s == "Z" {
            return Ok(TimeZone::UTC);
        }
        if let Some(offset) = parse_offset(s) {
            return Ok(TimeZone::Offset(offset));
        }
        s.parse::<chrono_tz::Tz>().map(TimeZone::Named).map_err(|_| {
            Error::Config(format!(
                "timezone: {s:?} is neither an offset such as +05:30 nor a zone name such as Europe/Paris"
            ))
        })
    }
}

/// `±HH:MM`, `±HHMM` or `±HH`, within ±23:59.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|&c| c != ':').collect();
    let colons = s[1..].matches(':').count();
    let valid_shape = match digits.len() {
        2 => colons == 0,
        4 => colons == 0 || s[1..].find(':') == Some(2),
        _ => false,
    };
    if !valid_shape || colons > 1 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn zone(s: &str) -> TimeZone {
        s.parse().unwrap()
    }

    #[test]
    fn offsets_parse_in_each_form_and_bad_ones_are_refused() {
        for (text, seconds) in [
            ("+00:00", 0),
            ("+05:30", 19_800),
            ("-08:00", -28_800),
            ("+0530", 19_800),
            ("-03", -10_800),
            ("Z", 0),
        ] {
            assert_eq!(
                zone(text),
                TimeZone::Offset(FixedOffset::east_opt(seconds).unwrap()),
                "{text}"
            );
        }
        for bad in [
            "+24:00", "+05:60", "05:30", "+5:30", "+05:3", "+05::30", "", "+",
        ] {
            let err = bad.parse::<TimeZone>().unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{bad}: {err}");
        }
    }

    #[test]
    #[cfg(feature = "postgres")]
    fn postgres_is_given_the_posix_form_of_an_offset() {
        assert_eq!(zone("+05:30").postgres_setting(), "<+05:30>-05:30");
        assert_eq!(zone("-08:00").postgres_setting(), "<-08:00>+08:00");
        assert_eq!(zone("Asia/Tokyo").postgres_setting(), "Asia/Tokyo");
        assert_eq!(zone("+00:00").postgres_setting(), "UTC");
    }

    #[test]
    fn wall_clocks_in_a_gap_or_an_overlap_have_one_instant() {
        let paris = zone("Europe/Paris");
        let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
        // 02:30 on 31 March 2024 does not exist in Paris; read at +01:00.
        let gap = paris.instant(day(31).and_hms_opt(2, 30, 0).unwrap());
        assert_eq!(gap.to_rfc3339(), "2024-03-31T01:30:00+00:00");
        // 02:30 on 27 October 2024 happens twice; the earlier (+02:00).
        let autumn = NaiveDate::from_ymd_opt(2024, 10, 27).unwrap();
        let overlap = paris.instant(autumn.and_hms_opt(2, 30, 0).unwrap());
        assert_eq!(overlap.to_rfc3339(), "2024-10-27T00:30:00+00:00");
        let noon = paris.instant(autumn.and_hms_opt(12, 0, 0).unwrap());
        assert_eq!(paris.instant(paris.local(noon).naive_local()), noon);
    }
}
