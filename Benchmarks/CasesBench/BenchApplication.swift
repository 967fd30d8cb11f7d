import CivicProtos

extension Civicgrid_V1_SubmitApplicationRequest {
  /// The application every benchmark submits: item `item` at the window, all four materials.
  static func bench(item: String, applicant: String = "Bench Applicant") -> Self {
    var request = Self()
    request.itemCode = item
    request.channel = .window
    request.applicant.name = applicant
    request.applicant.idNumber = "110105199001011234"
    request.applicant.phone = "13800138000"
    request.providedMaterials = ["id-card", "photo", "premises", "registration-form"]
    return request
  }
}
