//! What a signal's plan means, in sentences for the officer: the school day the school reads it
//! by, a hold through a holiday, the zomervakantie, holidays not in the data. The command line
//! and the office's window say the same.

use crate::report::dutch_time;
use crate::store::SummerRule;
use hwc_calendar::{spoken_date, Delivery};

/// What the school's calendar means for this signal, in sentences for the officer.
pub fn delivery_lines(delivery: &Delivery, rule: SummerRule) -> Vec<String> {
    let mut lines = vec![format!(
        "De school kan het signaal lezen tot en met {} (einde van de eerste schooldag na vandaag).",
        spoken_date(delivery.read_by)
    )];
    if delivery.held {
        lines.push(format!(
            "Tot die dag is de school dicht of mogelijk dicht (vakantie, feestdagen). De relay bewaart het signaal versleuteld en bezorgt het om {}, zodat het er op de eerste schooldag nog is.",
            dutch_time(delivery.deliver_from)
        ));
    }
    if delivery.summer {
        lines.push(match rule {
            SummerRule::Warn => "LET OP: de zomervakantie van de school valt tussen nu en die dag; het signaal wordt pas daarna gelezen.".into(),
            SummerRule::Refuse => "De zomervakantie van de school valt tussen nu en die dag; volgens de instelling van dit bureau gaat er dan geen signaal naar de school.".into(),
        });
    }
    if delivery.beyond_data {
        lines.push("LET OP: de schoolvakanties van die periode zijn nog niet in dit programma opgenomen; vraag de school of zij dan open is.".into());
    }
    lines
}
