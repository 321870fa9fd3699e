//! The numbers of `$[ … ]`: Asterisk computes them in C `long double` (64-bit mantissa on x86-64)
//! and prints them with `%.18Lg`. A double-double (two `f64`, about 106 bits) carries at least that
//! precision, so results printed to 18 significant digits agree with Asterisk's.

use std::cmp::Ordering;

/// A number as the sum `hi + lo` with `|lo| <= ulp(hi) / 2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Wide {
    hi: f64,
    lo: f64,
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

fn quick_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

impl Wide {
    pub(super) const ZERO: Self = Self { hi: 0.0, lo: 0.0 };

    /// An `f64` (exactly).
    pub(super) fn from_f64(x: f64) -> Self {
        Self { hi: x, lo: 0.0 }
    }

    /// The nearest `f64`.
    pub(super) fn to_f64(self) -> f64 {
        self.hi + self.lo
    }

    pub(super) fn is_zero(self) -> bool {
        self.hi == 0.0
    }

    fn normalized(hi: f64, lo: f64) -> Self {
        if !hi.is_finite() {
            return Self { hi, lo: 0.0 };
        }
        let (hi, lo) = quick_two_sum(hi, lo);
        Self { hi, lo }
    }

    pub(super) fn add(self, o: Self) -> Self {
        if !(self.hi + o.hi).is_finite() {
            return Self::from_f64(self.hi + o.hi);
        }
        let (s, e) = two_sum(self.hi, o.hi);
        let (t, f) = two_sum(self.lo, o.lo);
        let (s, e) = quick_two_sum(s, e + t);
        Self::normalized(s, e + f)
    }

    pub(super) fn neg(self) -> Self {
        Self { hi: -self.hi, lo: -self.lo }
    }

    pub(super) fn sub(self, o: Self) -> Self {
        self.add(o.neg())
    }

    pub(super) fn mul(self, o: Self) -> Self {
        let p = self.hi * o.hi;
        if !p.is_finite() || p == 0.0 {
            return Self::from_f64(p);
        }
        let e = self.hi.mul_add(o.hi, -p);
        Self::normalized(p, e + (self.hi * o.lo + self.lo * o.hi))
    }

    pub(super) fn div(self, o: Self) -> Self {
        let q1 = self.hi / o.hi;
        if !q1.is_finite() || !o.hi.is_finite() {
            return Self::from_f64(q1);
        }
        let r = self.sub(o.mul(Self::from_f64(q1)));
        let q2 = r.hi / o.hi;
        let r = r.sub(o.mul(Self::from_f64(q2)));
        let q3 = r.hi / o.hi;
        let (q1, q2) = quick_two_sum(q1, q2);
        Self::from_f64(q1).add(Self { hi: q2, lo: 0.0 }).add(Self::from_f64(q3))
    }

    /// Toward zero, to an integer.
    pub(super) fn trunc(self) -> Self {
        let hi = self.hi.trunc();
        if hi != self.hi {
            return Self::from_f64(hi);
        }
        let lo = if self.hi >= 0.0 { self.lo.floor() } else { self.lo.ceil() };
        Self::normalized(hi, lo)
    }

    /// C's `fmodl`: `self - trunc(self / o) * o`.
    pub(super) fn rem(self, o: Self) -> Self {
        self.sub(self.div(o).trunc().mul(o))
    }

    fn pow10(k: i32) -> Self {
        let ten = Self::from_f64(10.0);
        let mut r = Self::from_f64(1.0);
        for _ in 0..k.unsigned_abs().min(400) {
            r = r.mul(ten);
        }
        if k < 0 { Self::from_f64(1.0).div(r) } else { r }
    }

    fn from_u128(m: u128) -> Self {
        let hi = m as f64;
        let lo = (m as i128 - hi as i128) as f64;
        Self::normalized(hi, lo)
    }

    /// C's `strtold` on decimal text: the longest number at the start (`-1.5e3x` is -1500), 0 when
    /// there is none.
    pub(super) fn parse_prefix(s: &str) -> Self {
        let b = s.trim_start().as_bytes();
        let mut i = 0;
        let neg = matches!(b.first(), Some(b'-'));
        if matches!(b.first(), Some(b'-' | b'+')) {
            i += 1;
        }
        let (mut mant, mut exp, mut digits) = (0u128, 0i32, 0usize);
        let mut push = |d: u8, frac: bool, exp: &mut i32| {
            if digits < 36 {
                mant = mant * 10 + u128::from(d - b'0');
                digits += usize::from(mant > 0);
                if frac {
                    *exp -= 1;
                }
            } else if !frac {
                *exp += 1;
            }
        };
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            push(b[i], false, &mut exp);
            i += 1;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                push(b[i], true, &mut exp);
                i += 1;
            }
        }
        if i == start || (i == start + 1 && b[start] == b'.') {
            return Self::ZERO;
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let rest = std::str::from_utf8(&b[i + 1..]).unwrap_or("");
            let sign_len = usize::from(rest.starts_with(['-', '+']));
            let len = sign_len + rest[sign_len..].bytes().take_while(u8::is_ascii_digit).count();
            if len > sign_len {
                let big = if rest.starts_with('-') { -5000 } else { 5000 };
                let e: i64 = rest[..len].parse().unwrap_or(big);
                exp = exp.saturating_add(e.clamp(-5000, 5000) as i32);
            }
        }
        let v = Self::from_u128(mant).mul(Self::pow10(exp));
        if neg { v.neg() } else { v }
    }

    /// `printf("%.18Lg")`: 18 significant digits, trailing zeros dropped, exponent form below 1e-4
    /// or from 1e18.
    pub(super) fn format_g18(self) -> String {
        let x = self.to_f64();
        if x.is_nan() {
            return "nan".into();
        }
        if x.is_infinite() {
            return if x > 0.0 { "inf".into() } else { "-inf".into() };
        }
        if self.is_zero() {
            return if self.hi.is_sign_negative() { "-0".into() } else { "0".into() };
        }
        // Whole numbers of up to 15 digits (counters, lengths) print as themselves under `%.18Lg`.
        if self.lo == 0.0 && self.hi.fract() == 0.0 && self.hi.abs() < 1e15 {
            return (self.hi as i64).to_string();
        }
        self.format_digits()
    }

    /// `format_g18` by scaling to 18 significant digits.
    fn format_digits(self) -> String {
        let x = self.to_f64();
        let neg = x < 0.0;
        let a = if neg { self.neg() } else { self };
        let mut e = a.hi.log10().floor() as i32;
        let (mut n, mut scaled) = (0u128, a.mul(Self::pow10(17 - e)));
        for _ in 0..2 {
            // The estimate of the exponent may be one off: bring the digits into [1e17, 1e18).
            if scaled.hi >= 1e18 {
                e += 1;
            } else if scaled.hi < 1e17 {
                e -= 1;
            } else {
                break;
            }
            scaled = a.mul(Self::pow10(17 - e));
        }
        if !scaled.hi.is_finite() || scaled.hi == 0.0 {
            // Beyond the range where the scaling is exact (below about 1e-290): f64's digits.
            return format!("{x:e}");
        }
        let whole = scaled.trunc();
        let frac = scaled.sub(whole).to_f64();
        n += whole.hi as u128;
        n = (n as i128 + whole.lo as i128) as u128;
        if frac >= 0.5 {
            n += 1;
        }
        if n >= 1_000_000_000_000_000_000 {
            n /= 10;
            e += 1;
        }
        let digits = n.to_string();
        let body = if !(-4..18).contains(&e) {
            let (first, rest) = digits.split_at(1);
            let rest = rest.trim_end_matches('0');
            let mant = if rest.is_empty() { first.to_owned() } else { format!("{first}.{rest}") };
            format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
        } else if e >= 0 {
            let (int, frac) = digits.split_at(e as usize + 1);
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() { int.to_owned() } else { format!("{int}.{frac}") }
        } else {
            let zeros = "0".repeat((-e - 1) as usize);
            format!("0.{zeros}{}", digits.trim_end_matches('0'))
        };
        if neg { format!("-{body}") } else { body }
    }
}

impl PartialOrd for Wide {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        match self.hi.partial_cmp(&o.hi)? {
            Ordering::Equal => self.lo.partial_cmp(&o.lo),
            other => Some(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(a: &str, op: char, b: &str) -> String {
        let (x, y) = (Wide::parse_prefix(a), Wide::parse_prefix(b));
        match op {
            '+' => x.add(y),
            '-' => x.sub(y),
            '*' => x.mul(y),
            '/' => x.div(y),
            _ => x.rem(y),
        }
        .format_g18()
    }

    /// Expected texts are what C's `printf("%.18Lg")` prints for the x86-64 `long double` results.
    #[test]
    fn results_print_as_asterisk_long_doubles() {
        assert_eq!(eval("1", '/', "3"), "0.333333333333333333");
        assert_eq!(eval("2", '/', "3"), "0.666666666666666667");
        assert_eq!(eval("0.1", '+', "0.2"), "0.3");
        assert_eq!(eval("10", '/', "4"), "2.5");
        assert_eq!(eval("1", '/', "3").parse::<f64>().unwrap(), 1.0 / 3.0);
        assert_eq!(eval("7", '%', "3"), "1");
        assert_eq!(eval("-7.5", '%', "2"), "-1.5");
        assert_eq!(eval("9223372036854775807", '+', "1"), "9.22337203685477581e+18");
        assert_eq!(eval("123456789012345678", '+', "0"), "123456789012345678");
        assert_eq!(eval("1", '/', "80000"), "1.25e-05");
        assert_eq!(eval("1", '/', "7"), "0.142857142857142857");
        assert_eq!(eval("22", '/', "7"), "3.14285714285714286");
        assert_eq!(eval("0.0001", '*', "1"), "0.0001");
        assert_eq!(eval("-1", '/', "3"), "-0.333333333333333333");
        assert_eq!(eval("1e3", '*', "1.5"), "1500");
        assert_eq!(eval("3", '*', "0.1"), "0.3");
    }

    #[test]
    fn extremes_neither_panic_nor_lose_infinity() {
        assert_eq!(eval("1e300", '*', "1e300"), "inf");
        assert_eq!(eval("1e308", '+', "1e308"), "inf");
        assert!(!eval("1e-300", '*', "1e-10").is_empty());
        assert_eq!(eval("1e-300", '*', "0"), "0");
        assert_eq!(Wide::parse_prefix("1e99999999999").format_g18(), "inf");
        assert_eq!(Wide::parse_prefix("1e-99999999999").format_g18(), "0");
    }

    #[test]
    fn parsing_takes_the_longest_number_at_the_start() {
        assert_eq!(Wide::parse_prefix("12abc").format_g18(), "12");
        for n in [1i64, -1, 7, 42, -999, 1_000_000, 123_456_789_012_345, -999_999_999_999_999] {
            let w = Wide::from_f64(n as f64);
            assert_eq!(w.format_g18(), w.format_digits(), "{n}");
        }
        assert_eq!(Wide::parse_prefix("-1.5e2x").format_g18(), "-150");
        assert_eq!(Wide::parse_prefix("abc").format_g18(), "0");
        assert_eq!(Wide::parse_prefix(".5").format_g18(), "0.5");
    }
}
