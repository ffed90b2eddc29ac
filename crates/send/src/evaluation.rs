//! The evaluation's figures: per month and per school, how many signals were sent, handed
//! over, refused as "not our pupil", expired unread, answered without proof, or could not be
//! forwarded, and how many were sent and handed over within 24, 48 and 72 hours of the
//! incident. Built from the office's tally; exported as CSV for a spreadsheet. Numbers only.

use crate::incident::Within;
use crate::store::{TallyKind, TallyRow};
use hwc_protocol::Brin;

/// One month of one school.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthCounts {
    /// `jjjj-mm`, the Dutch month of sending.
    pub month: String,
    pub school: Option<Brin>,
    pub sent: u64,
    /// Sent within 24, 48 and 72 hours of the incident's hour (each includes the ones before).
    pub sent_within: [u64; 3],
    /// Sent without an incident hour entered.
    pub sent_incident_unknown: u64,
    pub handed_over: u64,
    /// Handed over within 24, 48 and 72 hours of the incident's hour (cumulative).
    pub handed_over_within: [u64; 3],
    pub not_our_pupil: u64,
    pub expired: u64,
    pub unproven: u64,
    pub not_forwarded: u64,
}

/// The tally as one row per month and school, in the tally's order.
pub fn by_month_and_school(cells: &[TallyRow]) -> Vec<MonthCounts> {
    let mut months: Vec<MonthCounts> = Vec::new();
    for cell in cells {
        let index = match months.iter().position(|m| m.month == cell.month && m.school == Some(cell.school)) {
            Some(index) => index,
            None => {
                months.push(MonthCounts { month: cell.month.clone(), school: Some(cell.school), ..Default::default() });
                months.len() - 1
            }
        };
        let row = &mut months[index];
        let n = cell.count;
        match cell.kind {
            TallyKind::Sent => {
                row.sent += n;
                add_within(&mut row.sent_within, cell.within, n);
                if matches!(cell.within, None | Some(Within::Unknown)) {
                    row.sent_incident_unknown += n;
                }
            }
            TallyKind::HandedOver => {
                row.handed_over += n;
                add_within(&mut row.handed_over_within, cell.within, n);
            }
            TallyKind::NotOurPupil => row.not_our_pupil += n,
            TallyKind::Expired => row.expired += n,
            TallyKind::Unproven => row.unproven += n,
            TallyKind::NotForwarded => row.not_forwarded += n,
        }
    }
    months
        .sort_by(|a, b| (&a.month, a.school.map(|s| s.to_string())).cmp(&(&b.month, b.school.map(|s| s.to_string()))));
    months
}

/// The sum of every row, as one row without a school (for the total line).
pub fn total(months: &[MonthCounts]) -> MonthCounts {
    let mut sum = MonthCounts { month: "totaal".into(), ..Default::default() };
    for m in months {
        sum.sent += m.sent;
        sum.sent_incident_unknown += m.sent_incident_unknown;
        sum.handed_over += m.handed_over;
        sum.not_our_pupil += m.not_our_pupil;
        sum.expired += m.expired;
        sum.unproven += m.unproven;
        sum.not_forwarded += m.not_forwarded;
        for i in 0..3 {
            sum.sent_within[i] += m.sent_within[i];
            sum.handed_over_within[i] += m.handed_over_within[i];
        }
    }
    sum
}

fn add_within(cumulative: &mut [u64; 3], within: Option<Within>, n: u64) {
    let from = match within {
        Some(Within::Day) => 0,
        Some(Within::TwoDays) => 1,
        Some(Within::ThreeDays) => 2,
        _ => return,
    };
    for slot in &mut cumulative[from..] {
        *slot += n;
    }
}

/// The CSV header: Dutch column names, `;`-separated as a Dutch spreadsheet expects.
pub const CSV_HEADER: &str = "maand;brin;verstuurd;verstuurd_binnen_24_uur;verstuurd_binnen_48_uur;verstuurd_binnen_72_uur;verstuurd_incidentuur_onbekend;doorgegeven;doorgegeven_binnen_24_uur;doorgegeven_binnen_48_uur;doorgegeven_binnen_72_uur;niet_onze_leerling;verlopen_ongelezen;bevestigd_zonder_bewijs;niet_doorgestuurd";

/// The rows as CSV with [`CSV_HEADER`]. Every field is a month, a BRIN code or a number, so
/// nothing needs quoting and no cell can start a spreadsheet formula.
pub fn to_csv(months: &[MonthCounts]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for m in months {
        let school = m.school.map(|s| s.to_string()).unwrap_or_default();
        let fields = [
            m.sent,
            m.sent_within[0],
            m.sent_within[1],
            m.sent_within[2],
            m.sent_incident_unknown,
            m.handed_over,
            m.handed_over_within[0],
            m.handed_over_within[1],
            m.handed_over_within[2],
            m.not_our_pupil,
            m.expired,
            m.unproven,
            m.not_forwarded,
        ];
        out.push_str(&m.month);
        out.push(';');
        out.push_str(&school);
        for n in fields {
            out.push(';');
            out.push_str(&n.to_string());
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(school: &str, month: &str, kind: TallyKind, within: Option<Within>, count: u64) -> TallyRow {
        TallyRow { school: school.parse().unwrap(), month: month.into(), kind, within, count }
    }

    #[test]
    fn cells_become_one_row_per_month_and_school_with_cumulative_hours() {
        let cells = [
            cell("12AB", "2026-11", TallyKind::Sent, Some(Within::Day), 3),
            cell("12AB", "2026-11", TallyKind::Sent, Some(Within::ThreeDays), 1),
            cell("12AB", "2026-11", TallyKind::Sent, Some(Within::Unknown), 2),
            cell("12AB", "2026-11", TallyKind::HandedOver, Some(Within::Day), 1),
            cell("12AB", "2026-11", TallyKind::HandedOver, Some(Within::TwoDays), 2),
            cell("12AB", "2026-11", TallyKind::HandedOver, Some(Within::Later), 1),
            cell("12AB", "2026-11", TallyKind::Expired, None, 1),
            cell("34CD", "2026-11", TallyKind::NotForwarded, None, 1),
            cell("12AB", "2026-12", TallyKind::NotOurPupil, None, 1),
            cell("12AB", "2026-12", TallyKind::Unproven, None, 1),
        ];
        let months = by_month_and_school(&cells);
        assert_eq!(months.len(), 3);
        let nov = &months[0];
        assert_eq!((nov.month.as_str(), nov.school.unwrap().to_string()), ("2026-11", "12AB".to_string()));
        assert_eq!((nov.sent, nov.sent_within, nov.sent_incident_unknown), (6, [3, 3, 4], 2));
        assert_eq!((nov.handed_over, nov.handed_over_within, nov.expired), (4, [1, 3, 3], 1));
        assert_eq!((months[1].school.unwrap().to_string(), months[1].not_forwarded), ("34CD".to_string(), 1));
        assert_eq!((months[2].not_our_pupil, months[2].unproven), (1, 1));
        let sum = total(&months);
        assert_eq!((sum.sent, sum.handed_over_within, sum.not_forwarded, sum.not_our_pupil), (6, [1, 3, 3], 1, 1));

        let csv = to_csv(&months);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(lines[1], "2026-11;12AB;6;3;3;4;2;4;1;3;3;0;1;0;0");
        assert_eq!(lines[2], "2026-11;34CD;0;0;0;0;0;0;0;0;0;0;0;0;1");
        assert_eq!(lines.len(), 5, "three rows and the final line break");
        let columns = CSV_HEADER.split(';').count();
        assert!(lines[1..4].iter().all(|l| l.split(';').count() == columns));
    }
}
