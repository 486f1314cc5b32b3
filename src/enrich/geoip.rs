//! GeoIP context for `ls-enrich --geoip`: `source.geo.*` from a city or country database and
//! `source.as.*` from an ASN database, both in the MaxMind DB format (MaxMind's GeoIP2 and
//! GeoLite2, DB-IP's lite databases), read by the maxminddb crate. Only fields the record
//! lacks are added; an address the databases do not know adds nothing.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;

/// Answers remembered at most (the same attackers recur).
const MAX_REMEMBERED: usize = 65_536;

/// The databases, opened.
pub struct GeoIp {
    city: Option<maxminddb::Reader<Vec<u8>>>,
    asn: Option<maxminddb::Reader<Vec<u8>>>,
    remembered: HashMap<IpAddr, (Option<Value>, Option<Value>)>,
    /// Description of the databases, for the summary.
    pub description: String,
}

#[derive(Default, Deserialize)]
struct CityRecord {
    #[serde(default)]
    continent: Option<Place>,
    #[serde(default)]
    country: Option<Place>,
    #[serde(default)]
    subdivisions: Option<Vec<Place>>,
    #[serde(default)]
    city: Option<Place>,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Default, Deserialize)]
struct Place {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    iso_code: Option<String>,
    #[serde(default)]
    names: Option<BTreeMap<String, String>>,
}

impl Place {
    fn name(&self) -> Option<&str> {
        self.names.as_ref()?.get("en").map(String::as_str)
    }
}

#[derive(Default, Deserialize)]
struct Location {
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
    #[serde(default)]
    time_zone: Option<String>,
}

#[derive(Default, Deserialize)]
struct AsnRecord {
    #[serde(default)]
    autonomous_system_number: Option<u32>,
    #[serde(default)]
    autonomous_system_organization: Option<String>,
}

/// A GeoIP database that cannot be opened: missing, unreadable, or not a MaxMind database.
#[derive(Debug, thiserror::Error)]
#[error("--geoip {}: {source}", path.display())]
pub struct GeoIpError {
    /// The database file.
    pub path: std::path::PathBuf,
    /// What the reader said.
    pub source: maxminddb::MaxMindDbError,
}

impl GeoIp {
    /// The databases of `--geoip` and `--geoip-asn`, if either is given; the error is a
    /// usage message naming the file.
    pub fn from_flags(city: Option<&Path>, asn: Option<&Path>) -> Result<Option<Self>, GeoIpError> {
        if city.is_none() && asn.is_none() {
            return Ok(None);
        }
        Self::open(city, asn).map(Some)
    }

    /// Opens the databases given; the error names the file.
    pub fn open(city: Option<&Path>, asn: Option<&Path>) -> Result<Self, GeoIpError> {
        let open = |path: &Path| {
            maxminddb::Reader::open_readfile(path).map_err(|source| GeoIpError {
                path: path.to_owned(),
                source,
            })
        };
        let city = city.map(open).transpose()?;
        let asn = asn.map(open).transpose()?;
        let describe = |reader: &maxminddb::Reader<Vec<u8>>| {
            format!(
                "{} ({})",
                reader.metadata().database_type,
                build_date(reader.metadata().build_epoch)
            )
        };
        let description = [city.as_ref().map(describe), asn.as_ref().map(describe)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and ");
        Ok(GeoIp {
            city,
            asn,
            remembered: HashMap::new(),
            description,
        })
    }

    /// The record (one JSON line) with GeoIP context, when there is any to add.
    pub fn locate(&mut self, record: &str) -> Option<String> {
        memchr::memmem::find(record.as_bytes(), b"\"source\"")?;
        let Value::Object(mut parsed) = serde_json::from_str(record).ok()? else {
            return None;
        };
        self.add(&mut parsed).then(|| Value::Object(parsed).to_string())
    }

    /// Adds `source.geo` and `source.as` to `record`, or the fields of them it lacks (an
    /// object from elsewhere, even `{}`, is filled in, never overwritten); returns whether it
    /// added anything.
    pub fn add(&mut self, record: &mut Map<String, Value>) -> bool {
        let Some(Value::Object(source)) = record.get_mut("source") else {
            return false;
        };
        let Some(address) = source
            .get("ip")
            .and_then(Value::as_str)
            .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        else {
            return false;
        };
        let fillable = |key: &str| source.get(key).is_none_or(Value::is_object);
        let wants_geo = self.city.is_some() && fillable("geo");
        let wants_as = self.asn.is_some() && fillable("as");
        if !wants_geo && !wants_as {
            return false;
        }
        if !self.remembered.contains_key(&address) {
            if self.remembered.len() >= MAX_REMEMBERED {
                self.remembered.clear();
            }
            let found = (self.geo(address), self.autonomous_system(address));
            self.remembered.insert(address, found);
        }
        let Some((geo, autonomous_system)) = self.remembered.get(&address) else {
            return false;
        };
        let mut added = false;
        if let (true, Some(geo)) = (wants_geo, geo) {
            added |= fill(source, "geo", geo);
        }
        if let (true, Some(autonomous_system)) = (wants_as, autonomous_system) {
            added |= fill(source, "as", autonomous_system);
        }
        added
    }

    fn geo(&self, address: IpAddr) -> Option<Value> {
        let found: CityRecord = self.city.as_ref()?.lookup(address).ok()?.decode().ok()??;
        let mut geo = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                geo.insert(key.to_owned(), value);
            }
        };
        put(
            "continent_code",
            found.continent.as_ref().and_then(|c| c.code.clone()).map(Value::from),
        );
        put(
            "continent_name",
            found.continent.as_ref().and_then(Place::name).map(Value::from),
        );
        put(
            "country_iso_code",
            found.country.as_ref().and_then(|c| c.iso_code.clone()).map(Value::from),
        );
        put(
            "country_name",
            found.country.as_ref().and_then(Place::name).map(Value::from),
        );
        let region = found.subdivisions.as_ref().and_then(|regions| regions.first());
        put(
            "region_iso_code",
            region.and_then(|r| r.iso_code.clone()).map(Value::from),
        );
        put("region_name", region.and_then(Place::name).map(Value::from));
        put("city_name", found.city.as_ref().and_then(Place::name).map(Value::from));
        if let Some(location) = &found.location {
            if let (Some(lat), Some(lon)) = (location.latitude, location.longitude) {
                put("location", Some(json!({"lat": lat, "lon": lon})));
            }
            put("timezone", location.time_zone.clone().map(Value::from));
        }
        (!geo.is_empty()).then_some(Value::Object(geo))
    }

    fn autonomous_system(&self, address: IpAddr) -> Option<Value> {
        let found: AsnRecord = self.asn.as_ref()?.lookup(address).ok()?.decode().ok()??;
        let mut autonomous_system = Map::new();
        if let Some(number) = found.autonomous_system_number {
            autonomous_system.insert("number".to_owned(), json!(number));
        }
        if let Some(name) = found.autonomous_system_organization {
            autonomous_system.insert("organization".to_owned(), json!({"name": name}));
        }
        (!autonomous_system.is_empty()).then_some(Value::Object(autonomous_system))
    }
}

/// Puts `found` at `key` of `source`, or, where an object is there already, the fields of
/// `found` it lacks (one level deep: `location` is one field); returns whether anything was
/// added.
fn fill(source: &mut Map<String, Value>, key: &str, found: &Value) -> bool {
    let Some(found) = found.as_object() else {
        return false;
    };
    match source.get_mut(key) {
        None => {
            source.insert(key.to_owned(), Value::Object(found.clone()));
            true
        }
        Some(Value::Object(known)) => {
            let mut added = false;
            for (field, value) in found {
                if !known.contains_key(field) {
                    known.insert(field.clone(), value.clone());
                    added = true;
                }
            }
            added
        }
        Some(_) => false,
    }
}

fn build_date(epoch: u64) -> String {
    i64::try_from(epoch)
        .ok()
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
        .map(|time| format!("built {}", time.format("%Y-%m-%d")))
        .unwrap_or_else(|| "build date unknown".to_owned())
}
