//! Polynomials over the trace domain `⟨ω⟩` (size `n`), for computing what a mask column adds to
//! the composition and DEEP polynomials (winter-math's FFT and polynomial routines).

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{fft, polynom, FieldElement, StarkField};

/// The coefficients of the polynomial taking `values[t]` at `ωᵗ`.
pub fn interpolate(values: &[BaseElement]) -> Vec<BaseElement> {
    let mut coefficients = values.to_vec();
    fft::interpolate_poly(&mut coefficients, &fft::get_inv_twiddles(values.len()));
    coefficients
}

/// `y^0, y^1, …, y^(count − 1)`.
pub fn powers<E: FieldElement>(y: E, count: usize) -> Vec<E> {
    let mut power = E::ONE;
    (0..count)
        .map(|_| {
            let current = power;
            power *= y;
            current
        })
        .collect()
}

/// The trace domain's generator for length `n`.
pub fn omega(n: usize) -> BaseElement {
    BaseElement::get_root_of_unity(n.ilog2())
}

/// `p^e`.
pub fn pow(p: &[BaseElement], e: usize) -> Vec<BaseElement> {
    (1..e).fold(p.to_vec(), |acc, _| polynom::mul(&acc, p))
}

/// `numerator / (xⁿ − 1)`, which must divide exactly.
pub fn divide_by_vanishing(numerator: &[BaseElement], n: usize) -> Vec<BaseElement> {
    let mut vanishing = vec![BaseElement::ZERO; n + 1];
    vanishing[0] = -BaseElement::ONE;
    vanishing[n] = BaseElement::ONE;
    let quotient = polynom::div(numerator, &vanishing);
    let back = polynom::mul(&quotient, &vanishing);
    assert_eq!(
        polynom::remove_leading_zeros(&back),
        polynom::remove_leading_zeros(numerator),
        "xⁿ − 1 does not divide"
    );
    polynom::remove_leading_zeros(&quotient)
}

/// `Π_E(x) = Π (x − ωᵗ)` over the last `exemptions` rows: Winterfell's transition divisor is
/// `(xⁿ − 1)/Π_E`.
pub fn exempt_rows(n: usize, exemptions: usize) -> Vec<BaseElement> {
    let omega = omega(n);
    let roots: Vec<BaseElement> = (n - exemptions..n).map(|t| omega.exp(t as u64)).collect();
    polynom::poly_from_roots(&roots)
}
