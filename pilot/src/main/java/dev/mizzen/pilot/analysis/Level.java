package dev.mizzen.pilot.analysis;

/** How bad a message is, as Istio grades them; the worst first. */
public enum Level {
  ERROR("Error"),
  WARNING("Warning"),
  INFO("Info");

  private final String display;

  Level(String display) {
    this.display = display;
  }

  /** As istioctl prints it: "Error", "Warning", "Info". */
  public String display() {
    return display;
  }

  /** As Istio's status writes it (AnalysisMessageBase.Level): "ERROR", "WARNING", "INFO". */
  public String statusName() {
    return name();
  }
}
