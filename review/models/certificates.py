"""The certificates of poor and near-poor households."""
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit
from areas.scoping import ScopedQuerySet
from households.models import Household
from review.models.standards import PovertyStandard


class CertificateQuerySet(ScopedQuerySet):
    scope_path = "commune"


class Certificate(models.Model):
    """The certificate of a poor or near-poor household (form of Circular 07/2021/TT-BLĐTBXH): one per
    household for a standard's period, numbered in its commune, with a row per review year."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="certificates",
                                  verbose_name="hộ")
    standard = models.ForeignKey(PovertyStandard, on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name="chuẩn nghèo")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="certificates",
                                verbose_name="xã/phường cấp")
    number = models.PositiveIntegerField("số giấy chứng nhận")
    issued_on = models.DateField("ngày cấp")

    history = HistoricalRecords()
    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "giấy chứng nhận hộ nghèo, hộ cận nghèo"
        verbose_name_plural = "giấy chứng nhận hộ nghèo, hộ cận nghèo"
        ordering = ["commune", "standard", "number"]
        constraints = [
            models.UniqueConstraint(fields=["household", "standard"], name="one_certificate_per_standard",
                                    violation_error_message="Hộ này đã có giấy chứng nhận của chuẩn nghèo này."),
            models.UniqueConstraint(fields=["commune", "standard", "number"], name="unique_certificate_number",
                                    violation_error_message="Số giấy chứng nhận đã dùng trong xã."),
        ]

    def __str__(self):
        return f"GCN số {self.number} – {self.household_id}"
