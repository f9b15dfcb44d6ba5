"""behaviortypes."""
