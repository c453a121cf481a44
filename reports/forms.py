"""The sales page's date range and grouping (also parsed for the CSV download)."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from reports.selectors import DateRange

# Long enough for year-on-year views; a wider range is refused rather than drawn as mush.
MAX_DAYS = 5 * 366
DEFAULT_DAYS = 30


def default_granularity(days):
    return "day" if days <= 62 else "week" if days <= 370 else "month"


class SalesReportForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label="Per",
        required=False,
        choices=[("", "Automatic"), ("day", "Day"), ("week", "Week"), ("month", "Month")],
    )

    @classmethod
    def for_request(cls, query):
        """Bound to the query string, or to the last 30 days when it names no range."""
        if "start" in query or "end" in query:
            return cls(query)
        today = timezone.localdate()
        return cls({"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today})

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end must not be before the start.")
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", "Choose a range of at most five years.")
        return cleaned_data

    @property
    def date_range(self):
        return DateRange(self.cleaned_data["start"], self.cleaned_data["end"])

    @property
    def granularity(self):
        return self.cleaned_data["by"] or default_granularity(self.date_range.days)
