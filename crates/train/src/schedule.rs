//! Learning-rate schedule: linear warm-up, then cosine decay to a floor.

/// Warm-up + cosine.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct CosineSchedule {
    pub peak_lr: f32,
    pub min_lr: f32,
    pub warmup_steps: u64,
    pub total_steps: u64,
}

impl CosineSchedule {
    /// The learning rate for update number `step` (0-based).
    pub fn lr(&self, step: u64) -> f32 {
        if step < self.warmup_steps {
            return self.peak_lr * (step + 1) as f32 / self.warmup_steps as f32;
        }
        let span = self.total_steps.saturating_sub(self.warmup_steps).max(1);
        let progress = ((step - self.warmup_steps) as f32 / span as f32).min(1.0);
        self.min_lr + 0.5 * (self.peak_lr - self.min_lr) * (1.0 + (std::f32::consts::PI * progress).cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_peaks_and_decays_to_the_floor() {
        let s = CosineSchedule { peak_lr: 1e-3, min_lr: 1e-4, warmup_steps: 10, total_steps: 110 };
        assert!((s.lr(0) - 1e-4).abs() < 1e-9);
        assert!((s.lr(9) - 1e-3).abs() < 1e-9);
        assert!((s.lr(60) - 5.5e-4).abs() < 1e-6);
        assert!((s.lr(110) - 1e-4).abs() < 1e-9);
        assert!((s.lr(500) - 1e-4).abs() < 1e-9);
    }
}
