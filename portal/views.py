"""Pages that read across apps (the composition on top): the global search."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .search import global_search


@login_required
def search(request):
    """Search as one types: htmx asks for the result list alone; without script the whole page answers."""
    q = request.GET.get("q", "")
    hits = global_search(q=q)
    template = "search_results.html" if request.htmx else "search.html"
    return render(request, template, {"q": q, "hits": hits})
