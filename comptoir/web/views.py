from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from comptoir.core.models import Company


@login_required
def home(request):
    return render(request, "web/home.html", {"company": Company.get()})
