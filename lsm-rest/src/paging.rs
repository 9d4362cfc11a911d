//! Paging: follow a collection's "next page" until there is none, every page within the
//! call's deadline, records streamed ([`RestClient::pages`]) or collected
//! ([`RestClient::collect_pages`]).
//!
//! The vendor gives a closure that reads one page: its records and where the next page is
//! ([`NextPage`]): an href to follow (ONTAP `_links.next.href`, NexentaStor
//! `links[rel=next].href`) or query values to set on the first request (Unity `page=N`).

use std::collections::{HashSet, VecDeque};

use crate::client::{Request, Response, RestClient};
use crate::deadline::Deadline;
use crate::error::{RestError, Result};

/// Where the next page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// No more pages.
    Done,
    /// Follow this href (a path, or a URL on the array): same method and headers, its own
    /// query.
    Href(String),
    /// Re-send the first request with these query values set (`page=2`).
    Query(Vec<(String, String)>),
}

/// One page read by the vendor's closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The page's records.
    pub records: Vec<T>,
    /// Where the next page is.
    pub next: NextPage,
}

/// An iterator over the records of every page; yields an error (then ends) when a page
/// fails, the deadline passes, or a next page repeats one already read (a loop).
pub struct Pages<'c, T, F> {
    client: &'c RestClient,
    first: Request,
    next: Option<Request>,
    buffered: VecDeque<T>,
    read_page: F,
    seen: HashSet<String>,
}

impl RestClient {
    /// Streams the records of `first` and the pages after it, all within `deadline`.
    pub fn pages<T, F>(&self, first: Request, deadline: Deadline, read_page: F) -> Pages<'_, T, F>
    where
        F: FnMut(&Response) -> Result<Page<T>>,
    {
        let first = first.deadline(deadline);
        Pages {
            client: self,
            next: Some(first.clone()),
            first,
            buffered: VecDeque::new(),
            read_page,
            seen: HashSet::new(),
        }
    }

    /// Collects the records of `first` and every page after it, all within `deadline`.
    pub fn collect_pages<T, F>(
        &self,
        first: Request,
        deadline: Deadline,
        read_page: F,
    ) -> Result<Vec<T>>
    where
        F: FnMut(&Response) -> Result<Page<T>>,
    {
        self.pages(first, deadline, read_page).collect()
    }
}

impl<T, F> Pages<'_, T, F>
where
    F: FnMut(&Response) -> Result<Page<T>>,
{
    /// Fetches the next page into the buffer; `Ok(false)` when there is none.
    fn fetch(&mut self) -> Result<bool> {
        let Some(request) = self.next.take() else {
            return Ok(false);
        };
        let url = self.client.url_for(&request)?;
        if !self.seen.insert(url.to_string()) {
            return Err(RestError::Unexpected(format!(
                "{} {}: the next page link repeats a page already read (a paging loop)",
                request.method(),
                crate::redact::redact_url(&url)
            )));
        }
        let response = self.client.send(&request)?;
        let page = (self.read_page)(&response)?;
        self.buffered.extend(page.records);
        self.next = match page.next {
            NextPage::Done => None,
            NextPage::Href(href) => Some(self.first.with_path(href)),
            NextPage::Query(values) => {
                let mut again = self.first.clone();
                for (key, value) in values {
                    again.set_query(&key, value);
                }
                Some(again)
            }
        };
        Ok(true)
    }
}

impl<T, F> Iterator for Pages<'_, T, F>
where
    F: FnMut(&Response) -> Result<Page<T>>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(record) = self.buffered.pop_front() {
                return Some(Ok(record));
            }
            match self.fetch() {
                Ok(true) => continue,
                Ok(false) => return None,
                Err(error) => {
                    self.next = None;
                    return Some(Err(error));
                }
            }
        }
    }
}
