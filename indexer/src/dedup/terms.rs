//! The terms a posting states of its job (hours, salary, employment type): one employer often
//! has several vacancies of one title in one place at once (two shop assistants, one of 16
//! hours and one of 38), and the terms are what tells them apart when their texts share the
//! employer's template. Copies of one vacancy state the same terms, or leave them out.

use vindwerk_model::{EmploymentType, SalaryPeriod};

/// Two salaries differ when their minimums (or maximums) are further apart than this share:
/// a board rounds, but not by more.
const SALARY_TOLERANCE: f64 = 0.02;

/// The least and the most of an amount; a salary "vanaf € 3.100" has no most.
pub type Bounds = (Option<u64>, Option<u64>);

/// What a posting states of the job's terms; `None` where it states nothing. Amounts are held
/// in whole cents and hours in tenths, so that items stay `Eq` and `Ord`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Terms {
    /// Hours per week, least and most, in tenths of an hour.
    pub hours: Option<(u32, u32)>,
    /// The salary: least and most in cents (either may be left out), in its period, a year's
    /// salary as a month's. Salaries of other periods are not compared: a monthly figure for
    /// an hourly wage depends on the hours assumed.
    pub salary: Option<(Bounds, SalaryPeriod)>,
    pub employment_type: Option<EmploymentType>,
}

impl Terms {
    /// The terms of normalised values (hours stated as one number are that range).
    pub fn new(
        hours: (Option<f64>, Option<f64>),
        salary: (Option<f64>, Option<f64>, Option<SalaryPeriod>),
        employment_type: Option<EmploymentType>,
    ) -> Terms {
        let tenths = |(min, max): (Option<f64>, Option<f64>)| {
            let (min, max) = match (min, max) {
                (Some(min), Some(max)) => (min, max),
                (Some(one), None) | (None, Some(one)) => (one, one),
                (None, None) => return None,
            };
            let tenths = |value: f64| (value.max(0.0) * 10.0).round() as u32;
            Some((tenths(min.min(max)), tenths(min.max(max))))
        };
        let cents = |(min, max): (Option<f64>, Option<f64>), scale: f64| {
            let cents = |value: f64| (value.max(0.0) * scale).round() as u64;
            (min.is_some() || max.is_some()).then(|| (min.map(cents), max.map(cents)))
        };
        Terms {
            hours: tenths(hours),
            salary: salary.2.and_then(|period| {
                let (period, scale) = match period {
                    SalaryPeriod::Year => (SalaryPeriod::Month, 100.0 / 12.0),
                    period => (period, 100.0),
                };
                cents((salary.0, salary.1), scale).map(|bounds| (bounds, period))
            }),
            employment_type: employment_type.filter(|kind| *kind != EmploymentType::Other),
        }
    }

    /// Whether the two cannot be one job: both state hours and the ranges do not meet, both
    /// state a salary and it differs, or both state an employment type and it differs.
    pub fn conflict(&self, other: &Terms) -> bool {
        let hours = match (self.hours, other.hours) {
            (Some((a_min, a_max)), Some((b_min, b_max))) => a_max < b_min || b_max < a_min,
            _ => false,
        };
        let types = matches!(
            (self.employment_type, other.employment_type),
            (Some(a), Some(b)) if a != b
        );
        hours || types || self.salaries_differ(other)
    }

    /// How many terms both state alike (0 to 3): evidence that two postings are one job.
    pub fn agreements(&self, other: &Terms) -> u8 {
        let hours = matches!((self.hours, other.hours), (Some(a), Some(b)) if a == b);
        let salary = match (self.salary, other.salary) {
            (Some((_, a)), Some((_, b))) if a == b => !self.salaries_differ(other),
            _ => false,
        };
        let types = matches!(
            (self.employment_type, other.employment_type),
            (Some(a), Some(b)) if a == b
        );
        u8::from(hours) + u8::from(salary) + u8::from(types)
    }

    fn salaries_differ(&self, other: &Terms) -> bool {
        // Each end is compared only where both state it.
        let apart = |x: Option<u64>, y: Option<u64>| match (x, y) {
            (Some(x), Some(y)) => {
                let (x, y) = (x as f64, y as f64);
                (x - y).abs() > SALARY_TOLERANCE * x.max(y)
            }
            _ => false,
        };
        match (self.salary, other.salary) {
            (Some((a, a_period)), Some((b, b_period))) if a_period == b_period => {
                apart(a.0, b.0) || apart(a.1, b.1)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(hours: (f64, f64), month: Option<(f64, f64)>, kind: EmploymentType) -> Terms {
        Terms::new(
            (Some(hours.0), Some(hours.1)),
            (
                month.map(|m| m.0),
                month.map(|m| m.1),
                month.map(|_| SalaryPeriod::Month),
            ),
            Some(kind),
        )
    }

    #[test]
    fn different_hours_salary_or_type_are_different_jobs() {
        use EmploymentType::{FullTime, PartTime};
        let a = terms((32.0, 40.0), Some((3100.0, 3900.0)), FullTime);
        assert!(!a.conflict(&a));
        assert_eq!(a.agreements(&a), 3);
        // Overlapping hours are no conflict; hours that do not meet are.
        assert!(!a.conflict(&terms((36.0, 36.0), Some((3100.0, 3900.0)), FullTime)));
        assert!(a.conflict(&terms((24.0, 24.0), Some((3100.0, 3900.0)), FullTime)));
        // A board's rounding is the same salary; another scale is not.
        assert!(!a.conflict(&terms((32.0, 40.0), Some((3100.0, 3880.0)), FullTime)));
        assert!(a.conflict(&terms((32.0, 40.0), Some((3350.0, 4200.0)), FullTime)));
        assert!(a.conflict(&terms((32.0, 40.0), Some((3100.0, 3900.0)), PartTime)));
    }

    #[test]
    fn what_one_side_leaves_out_never_conflicts() {
        let a = terms(
            (38.0, 38.0),
            Some((2000.0, 2500.0)),
            EmploymentType::FullTime,
        );
        let silent = Terms::default();
        assert!(!a.conflict(&silent) && !silent.conflict(&a));
        assert_eq!(a.agreements(&silent), 0);
        // "Other" says nothing.
        let other = Terms::new(
            (None, None),
            (None, None, None),
            Some(EmploymentType::Other),
        );
        assert!(!a.conflict(&other));
    }

    #[test]
    fn a_year_is_twelve_months_and_an_hourly_wage_is_not_compared() {
        let salary = |amount: f64, period: SalaryPeriod| {
            Terms::new((None, None), (Some(amount), None, Some(period)), None)
        };
        let monthly = salary(3000.0, SalaryPeriod::Month);
        assert!(!monthly.conflict(&salary(36_000.0, SalaryPeriod::Year)));
        assert_eq!(monthly.agreements(&salary(36_000.0, SalaryPeriod::Year)), 1);
        assert!(monthly.conflict(&salary(42_000.0, SalaryPeriod::Year)));
        let hourly = salary(14.25, SalaryPeriod::Hour);
        assert!(!hourly.conflict(&monthly) && hourly.agreements(&monthly) == 0);
    }

    #[test]
    fn a_salary_from_a_minimum_meets_a_range_with_that_minimum() {
        let month = |min: Option<f64>, max: Option<f64>| {
            Terms::new((None, None), (min, max, Some(SalaryPeriod::Month)), None)
        };
        let range = month(Some(3100.0), Some(3900.0));
        assert!(!range.conflict(&month(Some(3100.0), None)));
        assert!(range.conflict(&month(Some(2800.0), None)));
        assert_eq!(range.agreements(&month(Some(3100.0), None)), 1);
    }
}
